import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema } from 'graphql';
import { core, makeSchema } from 'nexus';
import { DateTime, JSONScalar, Upload } from './types/scalars.js';
import { PageInfo } from './types/relay.js';
import { tenantTypes } from './types/tenant.js';
import { personTypes } from './types/person.js';
import { recognitionTypes } from './types/recognition.js';
import { videoTypes } from './types/video.js';
import { limitTypes } from './types/limits.js';
import { lifecycleTypes } from './types/lifecycle.js';
import { auditTypes } from './types/audit.js';
import { reportTypes } from './types/reports.js';
import { verifyTypes } from './types/verify.js';
import { liveEventTypes } from './types/live-events.js';
import { galleryTypes } from './types/gallery.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_FILE = path.resolve(HERE, '../../schema.graphql');
/** Nexus' generated resolver typings (committed, drift-checked like schema.graphql). */
export const TYPEGEN_FILE = path.resolve(HERE, 'nexus-typegen.ts');

/**
 * The Nexus code-first schema. `npm run schema:emit` writes it to schema.graphql and its resolver
 * typings to nexus-typegen.ts (both committed).
 */
export function buildSchema(options: { emit?: boolean } = {}) {
  return makeSchema(schemaConfig(options.emit ?? false));
}

/**
 * The typings `npm run schema:emit` writes to TYPEGEN_FILE, as text, without writing: through
 * Nexus' own config resolution, sorting and formatting, so the drift test compares byte for byte.
 */
export async function typegenText(): Promise<string> {
  const { schema, finalConfig } = core.makeSchemaInternal(schemaConfig(false));
  const config = core.resolveTypegenConfig(finalConfig);
  const text = await new core.TypegenMetadata(config).generateTypesFile(lexicographicSortSchema(schema) as core.NexusGraphQLSchema, TYPEGEN_FILE);
  return formatTypegen(text, 'types');
}

// Nexus writes extensionless relative imports; NodeNext resolution needs the `.js`.
const formatTypegen = (content: string, type: 'schema' | 'types'): string => (type === 'types' ? content.replace(/from "(\.\/[^".]+)"/g, 'from "$1.js"') : content);

function schemaConfig(emit: boolean): core.SchemaConfig {
  return {
    types: [DateTime, JSONScalar, Upload, PageInfo, ...tenantTypes, ...personTypes, ...recognitionTypes, ...videoTypes, ...limitTypes, ...lifecycleTypes, ...auditTypes, ...reportTypes, ...verifyTypes, ...liveEventTypes, ...galleryTypes],
    outputs: emit ? { schema: SCHEMA_FILE, typegen: TYPEGEN_FILE } : false,
    shouldGenerateArtifacts: emit,
    shouldExitAfterGenerateArtifacts: false,
    contextType: { module: path.resolve(HERE, 'context.ts'), export: 'GraphQLContext' },
    formatTypegen,
    sourceTypes: {
      modules: [{ module: path.resolve(HERE, 'source-types.ts'), alias: 'records' }],
      mapping: {
        Tenant: 'records.TenantView',
        ApiKey: 'records.ApiKeyRecord',
        Person: 'records.PersonRecord',
        Gallery: 'records.GalleryRecord',
        EnrollmentSession: 'records.SessionRecord',
        Face: 'records.FaceRecord',
        RecognitionEvent: 'records.RecognitionEventRecord',
        IdentifiedFace: 'records.IdentifiedFace',
        Upload: 'records.UploadedFile',
        ManagedTenant: 'records.TenantLifecycleRecord',
        AuditEntry: 'records.AuditRecord',
        PlatformAuditEntry: 'records.PlatformAuditRecord',
      },
    },
    features: { abstractTypeStrategies: { resolveType: true } },
  };
}
