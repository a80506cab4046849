// Enrollment by drag and drop (or a file picker, for the keyboard): photos go to enrollFaces in
// batches, a video to enrollVideo; every image shows accepted or why it was rejected.
import { useState } from 'preact/hooks';
import { gqlWithFiles } from '../api';
import { batches, isVideo } from '../files';
import { ErrorNote, describe } from '../ui';

interface ImageResult {
  index: number;
  filename: string | null;
  accepted: boolean;
  reason: string | null;
  message: string | null;
}

type Outcome =
  | { kind: 'image'; file: string; preview: string; accepted: boolean; reason: string | null; message: string | null }
  | { kind: 'video'; file: string; status: string; accepted: number; rejected: number }
  | { kind: 'failed'; file: string; code: string; message: string };

const ENROLL = `mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { id status } results { index filename accepted reason message } } }`;
const ENROLL_VIDEO = `mutation($input: EnrollVideoInput!) { enrollVideo(input: $input) { id status imagesAccepted imagesRejected } }`;
// The server's default VISAGE_MAX_BATCH_IMAGES is 20; smaller batches also keep each request body modest.
const BATCH = 10;

async function enrollImages(personId: string, files: File[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const batch of batches(files, BATCH)) {
    try {
      const images = batch.map((file) => ({ file: null, filename: file.name }));
      const parts = batch.map((file, i) => ({ path: `variables.input.images.${i}.file`, file }));
      const { enrollFaces } = await gqlWithFiles<{ enrollFaces: { results: ImageResult[] } }>(ENROLL, { input: { personId, images } }, parts);
      for (const r of enrollFaces.results) {
        const file = batch[r.index]!;
        outcomes.push({ kind: 'image', file: file.name, preview: URL.createObjectURL(file), accepted: r.accepted, reason: r.reason, message: r.message });
      }
    } catch (err) {
      const { code, message } = describe(err);
      for (const file of batch) outcomes.push({ kind: 'failed', file: file.name, code, message });
    }
  }
  return outcomes;
}

async function enrollVideo(personId: string, file: File): Promise<Outcome> {
  try {
    const video = { file: null, filename: file.name };
    const { enrollVideo: s } = await gqlWithFiles<{ enrollVideo: { status: string; imagesAccepted: number; imagesRejected: number } }>(ENROLL_VIDEO, { input: { personId, video } }, [
      { path: 'variables.input.video.file', file },
    ]);
    return { kind: 'video', file: file.name, status: s.status, accepted: s.imagesAccepted, rejected: s.imagesRejected };
  } catch (err) {
    return { kind: 'failed', file: file.name, ...describe(err) };
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function EnrollDrop({ personId, onEnrolled }: { personId: string; onEnrolled: () => void }) {
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function take(list: FileList | null) {
    const files = [...(list ?? [])];
    if (files.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const videos = files.filter(isVideo);
      const images = files.filter((f) => !isVideo(f));
      const results = await enrollImages(personId, images);
      for (const v of videos) results.push(await enrollVideo(personId, v));
      setOutcomes(results);
      onEnrolled();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <div
        class={`drop ${over ? 'over' : ''}`}
        data-testid="enroll-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void take(e.dataTransfer?.files ?? null);
        }}
      >
        <p>Drop photos (JPEG, PNG, WebP) or a video of this person here.</p>
        <label class="button">
          Choose files…
          <input class="visually-hidden" type="file" name="enroll" multiple accept="image/jpeg,image/png,image/webp,video/*" disabled={busy} onChange={(e) => void take(e.currentTarget.files)} />
        </label>
        {busy ? <p role="status">Enrolling…</p> : null}
      </div>
      <ErrorNote error={error} />
      {outcomes.length > 0 ? (
        <ul class="outcomes" aria-label="Enrollment results">
          {outcomes.map((o, i) => (
            <li key={i} class={o.kind === 'image' && o.accepted ? 'ok' : o.kind === 'video' && o.status === 'COMPLETED' ? 'ok' : 'bad'}>
              {o.kind === 'image' ? <img src={o.preview} alt="" /> : null}
              <span class="file">{o.file}</span>
              {o.kind === 'image' ? <span>{o.accepted ? 'Accepted' : `Rejected: ${o.reason} — ${o.message ?? ''}`}</span> : null}
              {o.kind === 'video' ? <span>{`Video ${o.status}: ${plural(o.accepted, 'face')} accepted, ${plural(o.rejected, 'frame')} not used`}</span> : null}
              {o.kind === 'failed' ? <span>{`Not enrolled: ${o.code}: ${o.message}`}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
