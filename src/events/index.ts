export { createEventsService } from './events-service.js';
