/**
 * An immutable, append-only list of a search's events whose `append` is O(1).
 *
 *   a = [e1 e2 e3]            buffer: e1 e2 e3
 *   b = a.append(e4)          buffer: e1 e2 e3 e4   (shared; a still sees 3, b sees 4)
 *   c = a.append(e5)          a's buffer already holds e4 after a → c copies: e1 e2 e3 e5
 *
 * Lists made by `append` share one growing buffer, each seeing its own prefix, the way Go slices
 * do: the result page appends thousands of live events without copying the log each time, and a
 * list already handed to React never changes under it.
 *
 * Invariants:
 * - a list MUST NOT change once made (`length` and every `at(i)` stay the same);
 * - appending to the newest list of a buffer MUST NOT copy; appending to an older one copies
 *   once, unless it appends the very event the buffer already holds there (a reducer replayed by
 *   React's strict mode), which is shared.
 */
import type { SearchEvent } from './types';

/** An immutable list of events with O(1) append. */
export class EventList implements Iterable<SearchEvent> {
  private constructor(
    private readonly buffer: SearchEvent[],
    /** Number of events in this list. */
    readonly length: number,
  ) {}

  /** The empty list. */
  static empty(): EventList {
    return new EventList([], 0);
  }

  /** A list holding a copy of `events`. */
  static from(events: Iterable<SearchEvent>): EventList {
    const buffer = [...events];
    return new EventList(buffer, buffer.length);
  }

  /** This list with `event` at the end. */
  append(event: SearchEvent): EventList {
    let buffer = this.buffer;
    if (buffer.length !== this.length) {
      if (buffer[this.length] === event) return new EventList(buffer, this.length + 1);
      buffer = buffer.slice(0, this.length);
    }
    buffer.push(event);
    return new EventList(buffer, this.length + 1);
  }

  /** The event at `index`; negative indexes count from the end, like `Array#at`. */
  at(index: number): SearchEvent | undefined {
    const i = index < 0 ? this.length + index : index;
    return i >= 0 && i < this.length ? this.buffer[i] : undefined;
  }

  /** The newest event, if any. */
  get last(): SearchEvent | undefined {
    return this.at(-1);
  }

  /** The events from `start` to `end` (exclusive) as a new array, like `Array#slice`. */
  slice(start = 0, end = this.length): SearchEvent[] {
    return this.buffer.slice(Math.max(0, start), Math.min(end, this.length));
  }

  /** Every event as a new array. */
  toArray(): SearchEvent[] {
    return this.slice();
  }

  toJSON(): SearchEvent[] {
    return this.toArray();
  }

  *[Symbol.iterator](): Iterator<SearchEvent> {
    for (let i = 0; i < this.length; i++) yield this.buffer[i]!;
  }
}
