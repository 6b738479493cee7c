/**
 * The dispatcher buffers site jobs and hands them to site consumers only against demand.
 *
 *   search producer ──jobs──▶ [ dispatcher ] ──jobs (≤ demand)──▶ site consumer (one per site)
 *                                   ▲                                   │
 *                                   └──────────── demand ───────────────┘
 *
 * Example: yasabe.com's consumer has concurrency 3 and asks for 3. Two searches arrive, A with a
 * job for yasabe.com and then B with one; both are handed over at once (demand 3 → 1). A third
 * search's job waits here until a slot frees and the consumer asks for 1 more.
 *
 * Invariants:
 * - A consumer MUST NOT receive more jobs than it asked for; unmet demand is remembered and MUST
 *   be served the moment a job for that site arrives (no polling anywhere).
 * - Within a site, interactive jobs MUST be handed out before bulk ones, and searches within a
 *   priority are served round-robin, so one big batch never starves a live search.
 * - The dispatcher holds pure state: it returns deliveries and never calls out, so it is tested
 *   without timers or processes.
 */
import type { SearchPriority } from '../../lib/types';
import type { SiteJob } from './site-job';

/** Jobs handed to one site's consumer. */
export interface Delivery {
  readonly siteId: string;
  readonly jobs: readonly SiteJob[];
}

/** One priority lane of one site: searches in round-robin order, each with its FIFO of jobs. */
class Lane {
  private readonly bySearch = new Map<string, SiteJob[]>();
  size = 0;

  push(job: SiteJob, front: boolean): void {
    const jobs = this.bySearch.get(job.searchId);
    if (jobs) {
      if (front) jobs.unshift(job);
      else jobs.push(job);
    } else {
      // Map iteration order is insertion order: a new search joins the end of the round.
      this.bySearch.set(job.searchId, [job]);
    }
    this.size++;
  }

  /** Takes one job from the search at the head of the round and sends that search to the back. */
  shift(): SiteJob | undefined {
    for (const [searchId, jobs] of this.bySearch) {
      const job = jobs.shift()!;
      this.bySearch.delete(searchId);
      if (jobs.length > 0) this.bySearch.set(searchId, jobs);
      this.size--;
      return job;
    }
    return undefined;
  }

  removeSearch(searchId: string): SiteJob[] {
    const jobs = this.bySearch.get(searchId) ?? [];
    this.bySearch.delete(searchId);
    this.size -= jobs.length;
    return jobs;
  }
}

class SiteBuffer {
  readonly lanes: Record<SearchPriority, Lane> = { interactive: new Lane(), bulk: new Lane() };
  demand = 0;

  get size(): number {
    return this.lanes.interactive.size + this.lanes.bulk.size;
  }

  next(): SiteJob | undefined {
    return this.lanes.interactive.shift() ?? this.lanes.bulk.shift();
  }
}

/** Demand-driven buffer of site jobs, partitioned by site. */
export class Dispatcher {
  private readonly sites = new Map<string, SiteBuffer>();
  private buffered = 0;

  /** Jobs waiting in the buffer, all sites. */
  get size(): number {
    return this.buffered;
  }

  /** Jobs waiting for one site. */
  sizeOf(siteId: string): number {
    return this.sites.get(siteId)?.size ?? 0;
  }

  /** Demand a site's consumer has asked for and not yet received. */
  demandOf(siteId: string): number {
    return this.sites.get(siteId)?.demand ?? 0;
  }

  private site(siteId: string): SiteBuffer {
    let site = this.sites.get(siteId);
    if (!site) {
      site = new SiteBuffer();
      this.sites.set(siteId, site);
    }
    return site;
  }

  /**
   * Buffers jobs and returns what can be handed out at once to consumers with unmet demand.
   * `front` puts a job ahead of its search's other jobs (a retry keeps its place).
   */
  enqueue(jobs: readonly SiteJob[], { front = false }: { front?: boolean } = {}): Delivery[] {
    const touched = new Set<string>();
    for (const job of jobs) {
      this.site(job.siteId).lanes[job.priority].push(job, front);
      this.buffered++;
      touched.add(job.siteId);
    }
    const deliveries: Delivery[] = [];
    for (const siteId of touched) {
      const delivery = this.serve(siteId);
      if (delivery) deliveries.push(delivery);
    }
    return deliveries;
  }

  /** A consumer asks for `count` more jobs; returns those that can be handed out now. */
  handleDemand(siteId: string, count: number): Delivery | undefined {
    if (!Number.isInteger(count) || count < 0) {
      throw new TypeError(`Expected demand to be an integer >= 0, got ${count}`);
    }
    this.site(siteId).demand += count;
    return this.serve(siteId);
  }

  /**
   * Takes back one unit of a site's unmet demand — a free slot nobody waits for — so its consumer
   * can lend the slot to an optional request (a hedge). False when a job waits for the site or no
   * slot is free; the consumer asks for the slot again when the request ends.
   */
  withdrawDemand(siteId: string): boolean {
    const site = this.sites.get(siteId);
    if (!site || site.demand === 0 || site.size > 0) return false;
    site.demand--;
    return true;
  }

  /** Drops a search's buffered jobs (cancel, deadline) and returns them. */
  removeSearch(searchId: string): SiteJob[] {
    const removed: SiteJob[] = [];
    for (const site of this.sites.values()) {
      removed.push(...site.lanes.interactive.removeSearch(searchId), ...site.lanes.bulk.removeSearch(searchId));
    }
    this.buffered -= removed.length;
    return removed;
  }

  private serve(siteId: string): Delivery | undefined {
    const site = this.sites.get(siteId);
    if (!site || site.demand === 0 || site.size === 0) return undefined;
    const jobs: SiteJob[] = [];
    while (site.demand > 0) {
      const job = site.next();
      if (!job) break;
      jobs.push(job);
      site.demand--;
    }
    this.buffered -= jobs.length;
    return { siteId, jobs };
  }
}
