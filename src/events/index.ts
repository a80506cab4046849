export { createEventsService, type EventsService } from './events-service.js';
