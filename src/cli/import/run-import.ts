import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, type Gql } from '../api-client.js';
// The file, not the folder's index: the CLI is an API client and loads none of the server.
import { REJECTION_REASONS } from '../../enrollment/rejection-reason.js';
import type { ImportPlan, PersonFolder } from './scan-folder.js';
import type { ImportProgress } from './progress.js';

export interface ImportOptions {
  /** Enroll the largest face of a photo with several instead of rejecting it (MULTIPLE_FACES). */
  largestFaceOnly: boolean;
  /** Images per addEnrollmentImages call; the server's default limit is 20. */
  batchImages: number;
  /** Bytes of files per call (sent as multipart file parts), within the server's body limit (100 MB by default). */
  batchBytes: number;
}

export const DEFAULT_IMPORT_OPTIONS: ImportOptions = { largestFaceOnly: false, batchImages: 10, batchBytes: 24 * 1024 * 1024 };

export interface ImportSummary {
  layout: ImportPlan['layout'];
  people: number;
  peopleCreated: number;
  images: number;
  videos: number;
  videoFramesRead: number;
  /** Faces stored, from photos and video frames. */
  facesAdded: number;
  /** Rejected photos and video frames, by the server's reason. */
  rejected: Record<string, number>;
  skippedFiles: string[];
  /** People (and files) the server refused outright, with its error. */
  errors: { person: string; file?: string; code: string; message: string }[];
}

const FIND = `query($search: String!) { people(first: 50, search: $search) { edges { node { id externalId } } } }`;
const CREATE = `mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }`;
const START = `mutation($input: StartEnrollmentInput!) { startEnrollment(input: $input) { id } }`;
const ADD = `mutation($input: AddEnrollmentImagesInput!) { addEnrollmentImages(input: $input) { results { accepted reason } } }`;
const COMPLETE = `mutation($input: EnrollmentSessionInput!) { completeEnrollment(input: $input) { status } }`;
const CANCEL = `mutation($input: EnrollmentSessionInput!) { cancelEnrollment(input: $input) { status } }`;
const VIDEO = `mutation($input: EnrollVideoInput!) { enrollVideo(input: $input) { imagesAccepted stats } }`;

/** The session stats keys that are counts of rejected frames by reason. */
const REASONS: readonly string[] = REJECTION_REASONS;

/**
 * Enrolls every person of the plan, one at a time. Idempotent by construction: people are found
 * by externalId (the folder name) before one is created, and a photo or video frame already
 * enrolled for that person comes back as a DUPLICATE rejection, so a re-run adds nothing.
 */
export async function runImport(gql: Gql, plan: ImportPlan, options: ImportOptions, progress: ImportProgress): Promise<ImportSummary> {
  const summary: ImportSummary = {
    layout: plan.layout, people: plan.people.length, peopleCreated: 0, images: 0, videos: 0, videoFramesRead: 0,
    facesAdded: 0, rejected: {}, skippedFiles: plan.people.flatMap((p) => p.skipped), errors: [],
  };
  const reject = (reason: string, n = 1) => {
    if (n > 0) summary.rejected[reason] = (summary.rejected[reason] ?? 0) + n;
  };

  for (const folder of plan.people) {
    try {
      const personId = await findOrCreate(gql, folder.name, () => summary.peopleCreated++);
      if (folder.images.length > 0) await enrollImages(gql, personId, folder, options, summary, reject, progress);
      for (const video of folder.videos) {
        try {
          const filename = path.basename(video);
          const { enrollVideo } = await gql<{ enrollVideo: { imagesAccepted: number; stats: Record<string, number> } }>(
            VIDEO,
            { input: { personId, video: { file: null, filename } } },
            [{ path: 'variables.input.video.file', bytes: await readFile(video), filename }],
          );
          summary.videos++;
          summary.videoFramesRead += enrollVideo.stats.framesRead ?? 0;
          summary.facesAdded += enrollVideo.imagesAccepted;
          for (const r of REASONS) reject(r, enrollVideo.stats[r] ?? 0);
        } catch (err) {
          if (!(err instanceof ApiError) || err.code === 'UNREACHABLE') throw err;
          summary.errors.push({ person: folder.name, file: video, code: err.code, message: err.message });
        } finally {
          progress.filesDone(1);
        }
      }
    } catch (err) {
      if (!(err instanceof ApiError) || err.code === 'UNREACHABLE' || err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN') throw err;
      summary.errors.push({ person: folder.name, code: err.code, message: err.message });
    }
    progress.personDone();
  }
  progress.finish();
  return summary;
}

async function findOrCreate(gql: Gql, name: string, created: () => void): Promise<string> {
  const found = await gql<{ people: { edges: { node: { id: string; externalId: string | null } }[] } }>(FIND, { search: name });
  const existing = found.people.edges.find((e) => e.node.externalId === name);
  if (existing) return existing.node.id;
  const { createPerson } = await gql<{ createPerson: { id: string } }>(CREATE, { input: { displayName: name, externalId: name } });
  created();
  return createPerson.id;
}

/** One IMPORT session per person; photos in batches bounded by count and bytes. */
async function enrollImages(
  gql: Gql, personId: string, folder: PersonFolder, options: ImportOptions, summary: ImportSummary,
  reject: (reason: string, n?: number) => void, progress: ImportProgress,
): Promise<void> {
  const { startEnrollment } = await gql<{ startEnrollment: { id: string } }>(START, { input: { personId, source: 'IMPORT' } });
  const sessionId = startEnrollment.id;
  try {
    for (const batch of await batches(folder.images, options)) {
      // Sent as files, not base64: a third fewer bytes, and no base64 or JSON work on the server.
      const files = await Promise.all(batch.map(async (f, i) => ({ path: `variables.input.images.${i}.file`, bytes: await readFile(f), filename: path.basename(f) })));
      const images = files.map((f) => ({ file: null, filename: f.filename }));
      const { addEnrollmentImages } = await gql<{ addEnrollmentImages: { results: { accepted: boolean; reason: string | null }[] } }>(
        ADD,
        { input: { sessionId, images, largestFaceOnly: options.largestFaceOnly } },
        files,
      );
      for (const r of addEnrollmentImages.results) {
        if (r.accepted) summary.facesAdded++;
        else reject(r.reason ?? 'UNKNOWN');
      }
      summary.images += batch.length;
      progress.filesDone(batch.length);
    }
    // With nothing accepted (a re-run: all DUPLICATE) the server marks the session FAILED.
    await gql(COMPLETE, { input: { sessionId } });
  } catch (err) {
    await gql(CANCEL, { input: { sessionId } }).catch(() => undefined);
    throw err;
  }
}

async function batches(files: readonly string[], options: ImportOptions): Promise<string[][]> {
  const out: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const f of files) {
    const size = (await stat(f)).size;
    if (current.length > 0 && (current.length >= options.batchImages || bytes + size > options.batchBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
