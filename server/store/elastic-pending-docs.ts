/**
 * Docs of the Elasticsearch store not yet written, at most one per doc id: the write buffer's
 * contents, and each flush it sends.
 */
import type { Search } from '../../lib/types';
import type { StoredEvent, StoredSiteResult } from './store';

/** Which index a doc goes to. */
export type DocKind = 'search' | 'result' | 'event';

/** A site result waiting to be written, with the place it takes if it is new. */
export interface PendingResult {
  readonly result: StoredSiteResult;
  readonly position: number;
}

/** Docs waiting to be written (or being written), at most one per doc id, oldest first. */
export class PendingDocs {
  readonly searches = new Map<string, Search>();
  readonly results = new Map<string, PendingResult>();
  readonly events = new Map<string, StoredEvent>();

  get size(): number {
    return this.searches.size + this.results.size + this.events.size;
  }

  has(kind: DocKind, id: string): boolean {
    return (kind === 'search' ? this.searches : kind === 'result' ? this.results : this.events).has(id);
  }

  /** Copies the doc `kind`/`id` of `from` into this one (a doc of a flush that must be retried). */
  copyFrom(from: PendingDocs, kind: DocKind, id: string): void {
    if (kind === 'search') this.searches.set(id, from.searches.get(id)!);
    else if (kind === 'result') this.results.set(id, from.results.get(id)!);
    else this.events.set(id, from.events.get(id)!);
  }

  /**
   * Moves up to `max` docs out into a new `PendingDocs`, oldest first within each kind, leaving
   * those `held` says must wait (their doc is in a flush in flight).
   */
  take(max: number, held: (kind: DocKind, id: string) => boolean): PendingDocs {
    const taken = new PendingDocs();
    let room = max;
    room -= moveUpTo(this.searches, taken.searches, room, (id) => held('search', id));
    room -= moveUpTo(this.results, taken.results, room, (id) => held('result', id));
    moveUpTo(this.events, taken.events, room, (id) => held('event', id));
    return taken;
  }

  /**
   * Puts back docs whose flush failed. What was buffered since is newer and wins, except that a
   * result keeps its earlier position and an event its earlier (first-written) version.
   */
  mergeBack(failed: PendingDocs): void {
    for (const [id, search] of failed.searches) if (!this.searches.has(id)) this.searches.set(id, search);
    for (const [id, pending] of failed.results) {
      const newer = this.results.get(id);
      this.results.set(id, newer ? { result: newer.result, position: pending.position } : pending);
    }
    for (const [id, event] of failed.events) this.events.set(id, event);
  }

  /** The first `count` ids (searches, then results, then events), for messages. */
  sampleIds(count: number): string[] {
    return [...this.searches.keys(), ...this.results.keys(), ...this.events.keys()].slice(0, count);
  }
}

/** Moves up to `room` entries not `held` from one map to another; returns how many moved. */
function moveUpTo<V>(from: Map<string, V>, to: Map<string, V>, room: number, held: (id: string) => boolean): number {
  let moved = 0;
  for (const [id, value] of from) {
    if (moved >= room) break;
    if (held(id)) continue;
    to.set(id, value);
    from.delete(id);
    moved++;
  }
  return moved;
}
