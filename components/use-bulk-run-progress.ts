import { useEffect, useRef, useState } from 'react';
import { SearchFollower } from '@/lib/search-follower';
import { estimateRemainingMs } from '@/lib/search-metrics';
import { applyEventToResults, applyEventToSearch } from '@/lib/search-state';
import type { Search, SearchEvent, SiteResult } from '@/lib/types';
import type { BulkRun, StartedSearch } from './bulk-run';
import { useLiveSocket, useNow, type Connection } from './use-live-socket';

/** One search's state on the bulk page: the search record and results, without the log. */
export interface SearchProgress {
  readonly search?: Search;
  readonly results: readonly SiteResult[];
}

/** A bulk run followed live, as `useBulkRunProgress` reports it on each redraw. */
export interface BulkRunProgress {
  /** Each search's state by id; searches with no event yet are absent. */
  readonly progress: ReadonlyMap<string, SearchProgress>;
  readonly connection: Connection;
  /** Searches whose first event came, so their number of sites is known. */
  readonly known: number;
  /** Searches no longer running. */
  readonly ended: number;
  /** True until every search has ended. */
  readonly running: boolean;
  /** Site jobs of the run, counting a search not yet heard from as an average one. */
  readonly estimatedTotal: number;
  /** Site jobs not yet answered, on the same estimate. */
  readonly estimatedOpen: number;
  /** Time left, from the rate so far and the latest deadline. */
  readonly remainingMs: number | undefined;
}

const applyAll = (progress: SearchProgress, events: readonly SearchEvent[]): SearchProgress => {
  let { search, results } = progress;
  for (const event of events) {
    results = applyEventToResults(results, event);
    const base = event.type === 'search:created' ? event.data?.search : search;
    if (base) search = applyEventToSearch(base, results, event);
  }
  return { search, results };
};

function tally(searches: readonly StartedSearch[], progress: ReadonlyMap<string, SearchProgress>) {
  let total = 0;
  let open = 0;
  let ended = 0;
  let known = 0;
  let deadlineAt = 0;
  for (const started of searches) {
    const search = progress.get(started.id)?.search;
    if (!search) continue;
    known++;
    total += search.summary.total;
    open += search.summary.open;
    deadlineAt = Math.max(deadlineAt, search.deadlineAt);
    if (search.status !== 'running') ended++;
  }
  // Until every search has said how many sites it has, count the unknown ones as wholly open.
  const perSearch = known > 0 ? total / known : 0;
  const estimatedTotal = Math.round(total + perSearch * (searches.length - known));
  const estimatedOpen = Math.round(open + perSearch * (searches.length - known));
  return { known, ended, estimatedTotal, estimatedOpen, deadlineAt };
}

/**
 * Follows every search of one bulk run over one socket while any is running, and tallies the
 * run's progress. Thousands of events a second may arrive: state lives in a ref and the caller
 * redraws at most once a frame.
 */
export function useBulkRunProgress(run: BulkRun): BulkRunProgress {
  const progress = useRef(new Map<string, SearchProgress>());
  const [, setVersion] = useState(0);
  const frame = useRef<number | undefined>(undefined);
  const redraw = () => {
    frame.current ??= requestAnimationFrame(() => {
      frame.current = undefined;
      setVersion((version) => version + 1);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current ?? 0), []);

  const { known, ended, estimatedTotal, estimatedOpen, deadlineAt } = tally(run.searches, progress.current);
  const running = ended < run.searches.length;

  const connection = useLiveSocket(running && run.searches.length > 0, (socket) => {
    const follower = new SearchFollower({
      socket,
      onEvents: (searchId, events) => {
        progress.current.set(searchId, applyAll(progress.current.get(searchId) ?? { results: [] }, events));
        redraw();
      },
    });
    for (const started of run.searches) follower.follow(started.id);
    return () => follower.close();
  });
  const now = useNow(running, 500);
  const remainingMs = estimateRemainingMs({
    total: estimatedTotal,
    open: estimatedOpen,
    startedAt: run.startedAt,
    now,
    deadlineAt: deadlineAt || undefined,
  });

  return { progress: progress.current, connection, known, ended, running, estimatedTotal, estimatedOpen, remainingMs };
}
