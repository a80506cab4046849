// `npm run config:docs`: prints the configuration table for README.md from the parser's own key list.
import { configDocsMarkdown } from '../config/index.js';

console.log(configDocsMarkdown());
