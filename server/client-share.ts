/**
 * One client's fair share of the dispatcher: the site jobs of its running searches may fill at
 * most a share of the buffer, so a client sending thousands of searches (by bulk or one by one,
 * within its rate) cannot fill the buffer and leave everyone else a 429.
 *
 *   create(search, client A) ── A holds ≥ 12,500? ──yes──▶ 429 (A's share)
 *                                        └──no───▶ started: A holds 12,480 + 41 = 12,521
 *   search ends ──▶ A holds 12,480 again
 *
 * Example: MAX_BUFFERED_JOBS 50,000 and share 0.25 → 12,500 site jobs per client, ~300 searches
 * of 41 sites running at once. Two clients with 1,000-row bulk runs each get ~300 rows started and
 * the rest refused by line ("try again in …"); a third client still finds half the buffer free.
 *
 * Invariants:
 * - A client MUST NOT start a search while it holds its share; it may pass it by one search
 *   (checked before, counted after: how many jobs a search makes is known once it is made).
 * - A client's holding MUST equal the jobs of its searches that have not ended: `release` of an
 *   unknown or already released search does nothing, so a search's end is counted once.
 * - Pure bookkeeping in one process: in a cluster each node keeps its own (a node's share of its
 *   clients), which bounds a client per node, not across nodes.
 */
import { OverloadedError } from './errors';

/** When a client at its share may try again: a running search usually ends within this. */
const SHARE_RETRY_MS = 5_000;

/** The site jobs each client holds, against its share. */
export class ClientShare {
  private readonly held = new Map<string, number>();
  private readonly searches = new Map<string, { readonly client: string; readonly jobs: number }>();

  /** `maxJobs`: the most site jobs one client may hold. */
  constructor(readonly maxJobs: number) {
    if (!Number.isInteger(maxJobs) || maxJobs < 1) throw new TypeError(`Expected \`maxJobs\` to be an integer >= 1, got ${maxJobs}`);
  }

  /** Throws `OverloadedError` when the client holds its share already. */
  check(client: string): void {
    const holding = this.held.get(client) ?? 0;
    if (holding < this.maxJobs) return;
    throw new OverloadedError(
      `this client already has ${holding} site jobs running or waiting, its share of the dispatcher is ${this.maxJobs}; try again when some of its searches have ended`,
      SHARE_RETRY_MS,
    );
  }

  /** Counts a started search's jobs for its client. */
  hold(searchId: string, client: string, jobs: number): void {
    if (this.searches.has(searchId)) return;
    this.searches.set(searchId, { client, jobs });
    this.held.set(client, (this.held.get(client) ?? 0) + jobs);
  }

  /** Gives back an ended search's jobs. */
  release(searchId: string): void {
    const search = this.searches.get(searchId);
    if (!search) return;
    this.searches.delete(searchId);
    const left = (this.held.get(search.client) ?? 0) - search.jobs;
    if (left > 0) this.held.set(search.client, left);
    else this.held.delete(search.client);
  }

  /** The client that started a search still running, if this process started it. */
  creatorOf(searchId: string): string | undefined {
    return this.searches.get(searchId)?.client;
  }

  /** Site jobs a client holds now. */
  holding(client: string): number {
    return this.held.get(client) ?? 0;
  }
}
