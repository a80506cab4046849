import type { NewRecognitionEvent, RecognitionDecision } from '../../src/db/index.js';
import { seededRandom } from '../../src/eval/seeded-random.js';

export interface GeneratedEvent extends NewRecognitionEvent {
  createdAt: Date;
}

export interface EventGeneratorOptions {
  seed: number;
  from: Date;
  /** Mean spacing between events; the actual gaps are drawn around it. */
  stepMs: number;
  count: number;
  people: readonly string[];
  sources: readonly string[];
}

/**
 * Synthetic recognition history: time-ordered, deterministic per seed, with the mix a door
 * camera sees (mostly MATCH, some UNKNOWN, a few NO_FACE). Shared by the report tests and
 * bench:reports so both count the same kind of data.
 */
export function* generateEvents(o: EventGeneratorOptions): Generator<GeneratedEvent> {
  const random = seededRandom(o.seed);
  let t = o.from.getTime();
  for (let i = 0; i < o.count; i++) {
    const r = random();
    const decision: RecognitionDecision = r < 0.75 ? 'MATCH' : r < 0.93 ? 'UNKNOWN' : 'NO_FACE';
    const distance = decision === 'NO_FACE' ? null : decision === 'MATCH' ? 0.5 + random() * 0.55 : 1.05 + random() * 0.5;
    yield {
      personId: decision === 'MATCH' ? o.people[Math.floor(random() * o.people.length)]! : null,
      decision,
      distance,
      votes: decision === 'MATCH' ? 1 : decision === 'UNKNOWN' ? 0 : null,
      k1: 1,
      k2: 3,
      threshold: 1.05,
      model: 'face-arcface-512',
      source: o.sources[Math.floor(random() * o.sources.length)]!,
      frames: 1,
      latencyMs: 20 + random() * 80,
      box: decision === 'NO_FACE' ? null : { x: 10, y: 20, width: 100, height: 120 },
      faceQuality: decision === 'NO_FACE' ? null : 50 + random() * 200,
      margin: decision === 'NO_FACE' ? null : random() * 0.4,
      // Every tenth face is a call's second face (drawn without the random stream, so the rest of
      // the history stays what it was); a NO_FACE event is always a call of its own.
      callStart: decision === 'NO_FACE' || i % 10 !== 1,
      createdAt: new Date(t),
    };
    t += Math.max(1, Math.round(o.stepMs * (0.5 + random())));
  }
}

/** The local calendar day of an instant in a time zone, as YYYY-MM-DD (what the reports return). */
export function localDate(at: Date, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) formats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(at);
}
// Building a formatter costs far more than formatting; the tests format thousands of dates.
const formats = new Map<string, Intl.DateTimeFormat>();
