// Writes schema.graphql from the Nexus code-first schema. The drift test fails when the
// committed file differs from what this would write.
import { buildSchema, SCHEMA_FILE } from '../src/graphql/schema.js';

buildSchema({ emit: true });
console.log(`wrote ${SCHEMA_FILE}`);
