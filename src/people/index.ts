export { createPersonService, type PersonService, type PersonFields } from './person-service.js';
