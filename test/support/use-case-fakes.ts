// In-memory fakes of what the identify and enrollment use cases are handed (repositories, the
// pipeline, the gallery search), for the fast tier: no database, no ONNX, no FAISS. The real parts
// are exercised by the integration tests; these pin down the use cases' own logic.
import type { NewFace, NewRecognitionEvent, PersonRecord, Repositories, SessionRecord } from '../../src/db/index.js';
import type { Viewer } from '../../src/auth/index.js';
import type { Role } from '../../src/roles.js';
import type { AnalyzedFace, AnalyzedImage, FaceAnalyzer } from '../../src/vision/index.js';

export const TENANT = '00000000-0000-4000-8000-000000000001';

export const viewer = (role: Role = 'ADMIN', tenantId = TENANT): Viewer => ({ kind: 'tenant', tenantId, keyId: 'key-1', role });

/** A unit vector along one axis: faces on different axes are √2 apart, the same axis 0. */
export function axis(i: number, dim = 8): Float32Array {
  const v = new Float32Array(dim);
  v[i] = 1;
  return v;
}

export function face(embedding: Float32Array, quality: Partial<AnalyzedFace['quality']> = {}, size = 100): AnalyzedFace {
  return {
    box: { x: 0, y: 0, width: size, height: size },
    detectionScore: 0.99,
    landmarks: [],
    alignment: 'landmarks',
    quality: { detectionScore: 0.99, faceSizePx: size, sharpness: 500, ...quality },
    embedding,
    modelId: 'face-arcface-512',
  };
}

/** The pipeline, faked: the image's base64 text names the faces it holds. */
export function fakeAnalyzer(images: Record<string, AnalyzedFace[]>): FaceAnalyzer & { calls: number } {
  const analyzer = Object.assign(
    async (bytes: Buffer): Promise<AnalyzedImage> => {
      analyzer.calls += 1;
      const faces = images[bytes.toString('base64')];
      if (faces === undefined) throw new Error(`fake analyzer has no image ${bytes.toString('base64')}`);
      return { width: 640, height: 480, mode: 'detected', faces, timingsMs: { decode: 1, detect: 1, align: 1, embed: 1, total: 4 } };
    },
    { calls: 0 },
  );
  return analyzer;
}

/** Base64 of a short name, so tests can say `image('ada')`. */
export const image = (name: string) => ({ data: Buffer.from(name).toString('base64'), filename: `${name}.jpg` });
export const key = (name: string) => Buffer.from(name).toString('base64');

export function person(id: string, displayName = id): PersonRecord {
  const at = new Date(0);
  return { id, tenantId: TENANT, displayName, externalId: null, metadata: {}, createdAt: at, updatedAt: at };
}

interface StoredFace extends NewFace {
  id: string;
  personId: string;
  sessionId: string;
  searchable: boolean;
}

/** The repositories the two use cases call, kept in arrays; everything else throws if touched. */
export function fakeRepositories(people: PersonRecord[] = []) {
  const events: (NewRecognitionEvent & { tenantId: string })[] = [];
  const sessions = new Map<string, SessionRecord>();
  const faces: StoredFace[] = [];
  const audit: { action: string; target: string }[] = [];
  let nextId = 1;
  const l2 = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));

  const repos = {
    people: {
      async byId(tenantId: string, id: string) {
        return people.find((p) => p.tenantId === tenantId && p.id === id) ?? null;
      },
      async byIds(tenantId: string, ids: readonly string[]) {
        return people.filter((p) => p.tenantId === tenantId && ids.includes(p.id));
      },
    },
    events: {
      async insertMany(tenantId: string, batch: readonly NewRecognitionEvent[]) {
        events.push(...batch.map((e) => ({ ...e, tenantId })));
        return batch.map(() => `event-${nextId++}`);
      },
    },
    audit: {
      async record(_tenantId: string, entry: { action: string; target: string }) {
        audit.push(entry);
      },
    },
    enrollment: {
      async createSession(tenantId: string, personId: string, source: SessionRecord['source']) {
        const at = new Date(0);
        const s: SessionRecord = { id: `session-${nextId++}`, tenantId, personId, status: 'OPEN', source, imagesAccepted: 0, imagesRejected: 0, stats: {}, createdAt: at, updatedAt: at, completedAt: null };
        sessions.set(s.id, s);
        return { ...s };
      },
      async session(tenantId: string, id: string) {
        const s = sessions.get(id);
        return s && s.tenantId === tenantId ? { ...s, stats: { ...s.stats } } : null;
      },
      async addToSession(tenantId: string, sessionId: string, personId: string, added: readonly NewFace[], rejections: Record<string, number>, extraStats: Record<string, number> = {}) {
        const s = sessions.get(sessionId)!;
        const ids = added.map((f) => {
          const id = String(nextId++);
          faces.push({ ...f, id, personId, sessionId, searchable: false });
          return id;
        });
        const rejected = Object.values(rejections).reduce((a, b) => a + b, 0);
        const stats = { ...s.stats, ...extraStats };
        for (const [reason, n] of Object.entries(rejections)) stats[reason] = (stats[reason] ?? 0) + n;
        sessions.set(sessionId, { ...s, tenantId, imagesAccepted: s.imagesAccepted + ids.length, imagesRejected: s.imagesRejected + rejected, stats });
        return ids;
      },
      async nearestOwnFaceDistance(_tenantId: string, personId: string, model: string, embedding: Float32Array) {
        const own = faces.filter((f) => f.personId === personId && f.model === model && f.searchable);
        return own.length === 0 ? null : Math.min(...own.map((f) => l2(f.embedding, embedding)));
      },
      async finishSession(_tenantId: string, sessionId: string, status: 'COMPLETED' | 'CANCELLED' | 'FAILED') {
        const s = sessions.get(sessionId);
        if (!s || s.status !== 'OPEN') return null;
        const done = { ...s, status, completedAt: new Date(0) };
        sessions.set(sessionId, done);
        for (const f of faces) if (f.sessionId === sessionId) f.searchable = status === 'COMPLETED';
        return { ...done };
      },
    },
  };
  return { repos: repos as unknown as Repositories, events, sessions, faces, audit };
}
