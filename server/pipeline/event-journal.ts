/**
 * The event journal: where an event is made durable before anyone is shown it. The event log
 * appends each tick's events here (one synchronous write), then pushes them; the store receives
 * them later, in batches, and once it holds them durably the journal lets them go.
 *
 *   event log ──append(tick's events)──▶ [ journal: segment files ] ──then──▶ listeners (push)
 *       │                                        ▲ release(n): the first n appended are in
 *       └──batches (25 ms)──▶ store ──durable────┘ the store; segments wholly below n are deleted
 *
 *   after a crash: readJournal(dir) ──events──▶ replay (event-journal-replay.ts) ──▶ store
 *
 * Example: a tick emits events 41–43 of search A. `append` writes three JSON lines to
 * `events-000007.jsonl` and returns; the hub then pushes them. 25 ms later the store takes a batch
 * holding them and says they are durable: `release(1_043)` (1,043 events appended so far, all in
 * the store) empties the segment. Had the process been killed between the push and the store's
 * write, start-up would find the three lines and write them to the store under the same seqs.
 *
 * Invariants:
 * - `append` MUST return only after its events are in the file (a write the kernel has taken:
 *   they survive a kill -9 of this process, as the SQLite store's WAL commits do; not a power
 *   loss), and MUST throw, appending nothing it reports as appended, when the write fails.
 * - Events are appended in emit order, so the events the store holds are always the first n.
 * - A segment is deleted only once every event in it has been released.
 * - The journal holds nothing of its own: it is only ever a copy of what the store will hold.
 *   A line cut off by a crash (the last of the newest segment) is ignored on reading.
 */
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { StoredEvent } from '../store/store';

/** Above this size, a segment the store has not wholly taken yet is closed and a new one begun. */
export const SEGMENT_BYTES = 16 * 1024 * 1024;
/** Above this size, a segment the store has wholly taken is emptied (below it, kept as is). */
const EMPTY_AT_BYTES = 1024 * 1024;

const SEGMENT_NAME = /^events-(\d{6,})\.jsonl$/;

interface Segment {
  readonly file: string;
  /** Position (events appended before this run's first event in it) of its last event + 1. */
  end: number;
}

/** An append-only file of events, in segments, that forgets what the store holds. */
export class EventJournal {
  private readonly dir: string;
  private readonly segmentBytes: number;
  /** Closed segments, oldest first, each waiting for the store to hold all of it. */
  private readonly closed: Segment[] = [];
  private current!: Segment;
  private fd = -1;
  private bytes = 0;
  private number: number;
  /** Events appended by this process. */
  private appended = 0;
  /** Of those, how many the store holds durably. */
  private released = 0;
  /** The number of this process's first segment: lower ones a previous process left. */
  private readonly firstNumber: number;

  /**
   * Opens the journal in `dir` for appending, after any segments a previous process left (read
   * them first with `readJournal`, and `discardOlder` once they are in the store).
   */
  constructor(dir: string, options: { segmentBytes?: number } = {}) {
    this.dir = dir;
    this.segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    mkdirSync(dir, { recursive: true });
    this.number = Math.max(0, ...segmentFiles(dir).map((file) => file.number));
    this.firstNumber = this.number + 1;
    this.open();
  }

  /** Events appended so far by this process: `release` counts in the same positions. */
  get position(): number {
    return this.appended;
  }

  /** Writes `events` (one line each); returns once the kernel has them. Throws when it cannot. */
  append(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    let text = '';
    for (const event of events) text += `${JSON.stringify(event)}\n`;
    const buffer = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < buffer.length) written += writeSync(this.fd, buffer, written);
    } catch (error) {
      // A part written is cut off again, so the file never holds a half line before a whole one.
      try {
        ftruncateSync(this.fd, this.bytes);
      } catch {
        // The next open reads what is there and ignores a cut-off last line.
      }
      throw error;
    }
    this.bytes += buffer.length;
    this.appended += events.length;
    this.current.end = this.appended;
    if (this.bytes >= this.segmentBytes) this.rotate();
  }

  /** The store holds the first `position` events appended by this process durably. */
  release(position: number): void {
    this.released = Math.max(this.released, position);
    while (this.closed.length > 0 && this.closed[0]!.end <= this.released) {
      removeFile(this.closed.shift()!.file);
    }
    if (this.released >= this.appended && this.bytes >= EMPTY_AT_BYTES) {
      ftruncateSync(this.fd, 0);
      this.bytes = 0;
    }
  }

  /** Deletes the segments a previous process left (numbered below this process's first). */
  discardOlder(): void {
    for (const { file, number } of segmentFiles(this.dir)) {
      if (number < this.firstNumber) removeFile(file);
    }
  }

  /**
   * Closes the file. What the store holds is deleted; what it may not hold stays for the next
   * start to replay.
   */
  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    if (this.released >= this.appended) {
      for (const segment of [...this.closed, this.current]) removeFile(segment.file);
      this.closed.length = 0;
    }
  }

  private open(): void {
    this.number++;
    const file = path.join(this.dir, `events-${String(this.number).padStart(6, '0')}.jsonl`);
    this.fd = openSync(file, 'a');
    this.bytes = fstatSync(this.fd).size;
    this.current = { file, end: this.appended };
  }

  private rotate(): void {
    closeSync(this.fd);
    this.closed.push(this.current);
    this.open();
  }
}

/**
 * The events of every segment in `dir`, oldest first, as a previous process appended them; a
 * line that does not parse (cut off by a crash) is skipped and counted.
 */
export function readJournal(dir: string): { events: StoredEvent[]; unreadable: number } {
  const events: StoredEvent[] = [];
  let unreadable = 0;
  for (const { file } of segmentFiles(dir)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        events.push(JSON.parse(line) as StoredEvent);
      } catch {
        unreadable++;
      }
    }
  }
  return { events, unreadable };
}

function segmentFiles(dir: string): { file: string; number: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .flatMap((name) => {
      const match = SEGMENT_NAME.exec(name);
      return match ? [{ file: path.join(dir, name), number: Number(match[1]) }] : [];
    })
    .sort((a, b) => a.number - b.number);
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
