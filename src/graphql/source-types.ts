// The records the services return, named for Nexus' `sourceTypes`: a resolver's root is the record
// its parent field's service returned, so typegen checks resolvers against the service records.
export type { ApiKeyRecord, PersonRecord, SessionRecord, FaceRecord, RecognitionEventRecord, GalleryRecord } from '../db/index.js';
export type { IdentifiedFace } from '../identify/index.js';
export type { TenantView } from '../tenants/index.js';
export type { TenantLifecycleRecord } from '../db/tenant-lifecycle-repository.js';
export type { AuditRecord, PlatformAuditRecord } from '../db/audit-log-repository.js';
export type { UploadedFile } from '../domain/uploaded-file.js';
