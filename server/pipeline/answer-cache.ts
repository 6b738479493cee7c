/**
 * Site answers by (site, query): a TTL cache per site policy, plus the set of requests in flight
 * so identical requests to one site are made once.
 *
 * The cache is bounded (least recently stored out first) and keyed on what the site is asked —
 * the normalised query — so "Blue Door Bakery" and "blue  door bakery" share an entry.
 */
import type { BusinessQuery } from '../../lib/types';
import type { SiteAnswer } from '../sites/connector';

/** Entries kept across all sites. */
export const MAX_CACHED_ANSWERS = 2_000;

/** A query as the cache compares it: each field NFKC, lower case, runs of spaces as one. */
export function normalizeQuery(query: BusinessQuery): string {
  const norm = (value: string | undefined) => (value ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return [norm(query.name), norm(query.location), norm(query.phone), norm(query.website)].join('\u0000');
}

/**
 * The cache key of a query at a site. Takes the query itself or, when one query goes to many
 * sites, its {@link normalizeQuery} form computed once.
 */
export function answerKey(siteId: string, query: BusinessQuery | string): string {
  return `${siteId}\u0000${typeof query === 'string' ? query : normalizeQuery(query)}`;
}

/** TTL cache of site answers with in-flight coalescing. */
export class AnswerCache {
  private readonly entries = new Map<string, { answer: SiteAnswer; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<SiteAnswer>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh cached answer, or undefined. */
  get(key: string): SiteAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.answer;
  }

  /** Stores an answer for `ttlMs` (0 stores nothing). */
  set(key: string, answer: SiteAnswer, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { answer, expiresAt: this.now() + ttlMs });
    if (this.entries.size > MAX_CACHED_ANSWERS) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The identical request in flight, if any. */
  pending(key: string): Promise<SiteAnswer> | undefined {
    return this.inFlight.get(key);
  }

  /**
   * Runs `request` unless an identical one is in flight, in which case its answer is shared.
   * `coalesced` says whether this call rode on another's request.
   */
  async coalesce(key: string, request: () => Promise<SiteAnswer>): Promise<{ answer: SiteAnswer; coalesced: boolean }> {
    const running = this.inFlight.get(key);
    if (running) return { answer: await running, coalesced: true };
    const promise = request();
    this.inFlight.set(key, promise);
    try {
      return { answer: await promise, coalesced: false };
    } finally {
      this.inFlight.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
