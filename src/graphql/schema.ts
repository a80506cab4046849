import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSchema } from 'nexus';
import { DateTime, JSONScalar } from './types/scalars.js';
import { PageInfo } from './types/relay.js';
import { tenantTypes } from './types/tenant.js';
import { personTypes } from './types/person.js';
import { recognitionTypes } from './types/recognition.js';
import { videoTypes } from './types/video.js';
import { reportTypes } from './types/reports.js';
import { verifyTypes } from './types/verify.js';
import { liveEventTypes } from './types/live-events.js';

export const SCHEMA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema.graphql');

/** The Nexus code-first schema. `npm run schema:emit` writes it to schema.graphql (committed). */
export function buildSchema(options: { emit?: boolean } = {}) {
  return makeSchema({
    types: [DateTime, JSONScalar, PageInfo, ...tenantTypes, ...personTypes, ...recognitionTypes, ...videoTypes, ...reportTypes, ...verifyTypes, ...liveEventTypes],
    outputs: options.emit ? { schema: SCHEMA_FILE, typegen: false } : false,
    shouldGenerateArtifacts: options.emit ?? false,
    shouldExitAfterGenerateArtifacts: false,
    contextType: { module: path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'context.ts'), export: 'GraphQLContext' },
    features: { abstractTypeStrategies: { resolveType: true } },
  });
}
