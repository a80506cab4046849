import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { NewRecognitionEvent } from '../db/index.js';
import { serviceUnavailable } from '../outage/database-outage.js';

/** An event whose id and time were fixed when identify answered. */
export type StampedEvent = NewRecognitionEvent & { id: string; createdAt: Date };

/** One identify call's events, the unit written to the file and then to the database. */
export interface BufferedEntry {
  tenantId: string;
  events: StampedEvent[];
}

export interface EventBufferOptions {
  file: string;
  maxEvents: number;
  /** Writes a batch of one tenant's events; must ignore ids already stored (idempotent). */
  insert: (tenantId: string, events: readonly StampedEvent[]) => Promise<void>;
  /** Most events per insert while draining. */
  batchEvents?: number;
}

/**
 * Recognition events that could not be written to PostgreSQL, kept in order in an append-only
 * file (one JSON line per identify call) and in memory, until they are written.
 *
 * Durability: an append resolves only after its line is fsync'd; appends that arrive while a
 * write is in flight are written together by the next one (group commit), so a burst costs one
 * fsync, not one per call. Exactly once: ids are fixed before the event reaches the buffer and
 * the insert ignores ids already stored, so replaying after a crash between the insert and the
 * truncation writes nothing twice. Hand-written: no maintained npm package offers a durable,
 * fsync-batched local queue without a native dependency or a database of its own.
 */
export class EventBuffer {
  private readonly queue: BufferedEntry[] = [];
  private queuedEvents = 0;
  private reservedEvents = 0;
  private waiting: { line: string; entry: BufferedEntry; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private fileOps: Promise<unknown> = Promise.resolve();
  private flushScheduled = false;
  private draining: Promise<void> | undefined;

  private constructor(
    private readonly options: EventBufferOptions,
    private readonly handle: FileHandle,
  ) {}

  /** Opens (or creates) the file and loads what a previous process left in it. */
  static async open(options: EventBufferOptions): Promise<{ buffer: EventBuffer; tornLines: number }> {
    await mkdir(path.dirname(options.file), { recursive: true });
    const text = await readFile(options.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const handle = await open(options.file, 'a');
    const buffer = new EventBuffer(options, handle);
    let tornLines = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        buffer.push(parseEntry(line));
      } catch {
        // A line cut short by a crash mid-write was never acknowledged to a client.
        tornLines++;
      }
    }
    return { buffer, tornLines };
  }

  /** Events waiting to be written to the database. */
  pending(): number {
    return this.queuedEvents;
  }

  /** Appends one call's events durably; SERVICE_UNAVAILABLE when the buffer is full. */
  append(entry: BufferedEntry): Promise<void> {
    const n = entry.events.length;
    if (this.queuedEvents + this.reservedEvents + n > this.options.maxEvents) {
      return Promise.reject(serviceUnavailable(`The database is unreachable and the local event buffer is full (${this.options.maxEvents} events); retry in a few seconds.`));
    }
    this.reservedEvents += n;
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ line: `${JSON.stringify(entry)}\n`, entry, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.fileOps = this.fileOps.then(() => this.flush());
      }
    });
  }

  /**
   * Writes everything buffered to the database, in order, and empties the file. One drain runs
   * at a time; a failure (the database gone again) leaves the rest for the next drain.
   */
  drain(): Promise<void> {
    this.draining ??= this.drainAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  async close(): Promise<void> {
    await this.fileOps;
    await this.handle.close();
  }

  private async drainAll(): Promise<void> {
    const max = this.options.batchEvents ?? 500;
    while (this.queue.length > 0) {
      // Consecutive entries of one tenant go in one statement; order is kept.
      const tenantId = this.queue[0]!.tenantId;
      const events: StampedEvent[] = [];
      let entries = 0;
      while (entries < this.queue.length && this.queue[entries]!.tenantId === tenantId && (events.length === 0 || events.length + this.queue[entries]!.events.length <= max)) {
        events.push(...this.queue[entries]!.events);
        entries++;
      }
      await this.options.insert(tenantId, events);
      this.queue.splice(0, entries);
      this.queuedEvents -= events.length;
    }
    // In the file chain, so an append that arrives meanwhile is never cut off.
    await (this.fileOps = this.fileOps.then(async () => {
      if (this.queue.length === 0 && this.waiting.length === 0) await this.handle.truncate(0);
    }));
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const events = batch.reduce((n, w) => n + w.entry.events.length, 0);
    try {
      await this.handle.appendFile(batch.map((w) => w.line).join(''));
      await this.handle.datasync();
    } catch (err) {
      this.reservedEvents -= events;
      for (const w of batch) w.reject(err);
      return;
    }
    this.reservedEvents -= events;
    for (const w of batch) {
      this.push(w.entry);
      w.resolve();
    }
  }

  private push(entry: BufferedEntry): void {
    this.queue.push(entry);
    this.queuedEvents += entry.events.length;
  }
}

function parseEntry(line: string): BufferedEntry {
  const raw = JSON.parse(line) as { tenantId: unknown; events: unknown };
  if (typeof raw.tenantId !== 'string' || !Array.isArray(raw.events)) throw new Error('not a buffered entry');
  return {
    tenantId: raw.tenantId,
    events: raw.events.map((e: StampedEvent & { createdAt: string }) => {
      if (typeof e.id !== 'string') throw new Error('event without id');
      return { ...e, createdAt: new Date(e.createdAt) };
    }),
  };
}
