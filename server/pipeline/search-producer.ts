/**
 * The search producer's expansion: one business query becomes a search record, one result row
 * per site, and one site job per site that can be searched. Pure apart from the random id: it
 * admits nothing and starts nothing (the pipeline does both).
 *
 *   {name: "Blue Door Bakery"} × sites [a, b, c(no key)] ─▶ search + results [a, b, c]
 *                                                           jobs [a, b]   skipped [c: "not configured"]
 */
import { randomBytes } from 'node:crypto';
import type { BusinessQuery, Search, SearchPriority, SiteResult } from '../../lib/types';
import { echoInput } from '../../lib/input-echo';
import { summarize } from '../../lib/search-state';
import { ValidationError } from '../errors';
import type { SiteConnector } from '../sites/connector';
import type { SiteRegistry } from '../sites/site-registry';
import { answerKey, normalizeQuery } from './answer-cache';
import type { SiteJob } from './site-job';

/**
 * A new search id: 128 random bits, URL-safe (22 base64url characters), never starting with `-`.
 * One id in 64 would otherwise start with `-`, which a spreadsheet reads as a formula: the CSV
 * export then has to prefix it with `'`, and the exported id no longer matches the share link
 * (it would also read as an option on a command line). Drawing again costs 1/64 of a bit.
 */
export function newSearchId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** What `createSearch` expands. */
export interface SearchRequest {
  /** The new search's id. Default: a fresh one ({@link newSearchId}). */
  readonly id?: string;
  readonly registry: SiteRegistry;
  readonly query: BusinessQuery;
  /** Restrict the search to these site ids. Default: every site. */
  readonly sites?: readonly string[];
  readonly priority: SearchPriority;
  readonly createdAt: number;
  readonly deadlineAt: number;
  /** The search's one abort controller, shared by its jobs. */
  readonly abort: AbortController;
}

/** A search expanded into its rows and jobs. */
export interface ExpandedSearch {
  readonly search: Search;
  /** One per site, in registry (or requested) order, all `pending`. */
  readonly results: readonly SiteResult[];
  /** One per site that can be searched. */
  readonly jobs: readonly SiteJob[];
  /** Sites that cannot be searched, and why (`not configured`). */
  readonly skipped: readonly { readonly siteId: string; readonly reason: string }[];
}

/** Expands a query into a search. Throws `ValidationError` naming unknown site ids. */
export function createSearch(request: SearchRequest): ExpandedSearch {
  const connectors = sitesOf(request.registry, request.sites);
  const results: SiteResult[] = connectors.map(({ definition }) => ({
    siteId: definition.id,
    siteName: definition.name,
    sandbox: definition.sandbox,
    status: 'pending',
    attempts: 0,
  }));
  const search: Search = {
    id: request.id ?? newSearchId(),
    query: request.query,
    priority: request.priority,
    status: 'running',
    createdAt: request.createdAt,
    deadlineAt: request.deadlineAt,
    summary: summarize(results),
  };
  // The same query goes to every site: normalise it once for the answer keys.
  const normalized = normalizeQuery(request.query);
  const jobs: SiteJob[] = [];
  const skipped: { siteId: string; reason: string }[] = [];
  for (const { definition, skipReason } of connectors) {
    const siteId = definition.id;
    if (skipReason) {
      skipped.push({ siteId, reason: skipReason });
      continue;
    }
    jobs.push({
      searchId: search.id,
      siteId,
      query: request.query,
      answerKey: answerKey(siteId, normalized),
      priority: request.priority,
      deadlineAt: request.deadlineAt,
      abort: request.abort,
      attempts: 0,
    });
  }
  return { search, results, jobs, skipped };
}

/** Unknown site ids a refusal names; the rest are counted. */
const MAX_UNKNOWN_NAMED = 5;

function sitesOf(registry: SiteRegistry, ids: readonly string[] | undefined): readonly SiteConnector[] {
  if (!ids) return registry.all();
  const unique = [...new Set(ids)];
  const unknown = unique.filter((id) => !registry.get(id));
  if (unknown.length > 0) {
    // Up to 500 ids of 64 characters may come: name a few, so the message stays one short line.
    const named = unknown.slice(0, MAX_UNKNOWN_NAMED).map((id) => echoInput(id)).join(', ');
    const more = unknown.length > MAX_UNKNOWN_NAMED ? ` and ${unknown.length - MAX_UNKNOWN_NAMED} more` : '';
    throw new ValidationError(`sites: unknown site id${unknown.length > 1 ? 's' : ''} ${named}${more}`);
  }
  return unique.map((id) => registry.get(id)!);
}
