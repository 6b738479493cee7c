/**
 * The operations report: each registered site with its limits and live figures, as
 * `GET /api/sites`, the `/sites` page and `sites:stats` show them. Pure: it reads what the
 * scheduler and the site's requester measured and builds the views.
 */
import type { SiteInfo, SiteLiveStats } from '../../lib/types';
import type { SiteConnector } from '../sites/connector';
import type { SchedulerSiteStats } from './scheduler';
import type { SiteRequester } from './site-requester';

/** A site's live figures from its scheduler's and its requester's measurements. */
export function siteLiveStats(scheduled: SchedulerSiteStats, requester: SiteRequester, now: number): SiteLiveStats {
  const { definition } = requester.connector;
  const { stats } = requester;
  const hedgeDelayMs = requester.hedging.hedgeDelayMs();
  return {
    siteId: definition.id,
    ...scheduled,
    requestsPerSec: scheduled.requestsPerSec ?? stats.requestsPerSec(now),
    limitPerSec: (definition.limits.requests * 1000) / definition.limits.perMs,
    latencyP50Ms: requester.latency.quantile(0.5),
    latencyP95Ms: requester.latency.quantile(0.95),
    latencyP99Ms: requester.latency.quantile(0.99),
    attemptTimeoutMs: requester.hedging.attemptTimeout(Number.POSITIVE_INFINITY).timeoutMs,
    ...(hedgeDelayMs === undefined ? {} : { hedgeDelayMs }),
    hedges: requester.hedging.hedges,
    hedgeWins: requester.hedging.wins,
    hedgeShare: requester.hedging.hedgeShare,
    hedgesDeclined: { ...requester.hedging.declined },
    errorRate: stats.errorRate(),
    attempts: stats.attempts,
    circuit: requester.circuitState(),
    ...(stats.lastError ? { lastError: stats.lastError } : {}),
  };
}

/**
 * One registry entry as the operations view lists it; `stats` absent for a site not run, and
 * `requester` for the site's hedging as run (absent: not run, so not hedged).
 */
export function siteInfo(connector: SiteConnector, stats: SiteLiveStats | undefined, requester?: SiteRequester): SiteInfo {
  const { definition, skipReason } = connector;
  return {
    id: definition.id,
    name: definition.name,
    kind: definition.kind,
    sandbox: definition.sandbox,
    limits: definition.limits,
    timeoutMs: definition.timeoutMs,
    retries: definition.retries,
    hedge: requester?.hedging.hedgeable ?? false,
    status: skipReason ? 'skipped' : 'active',
    ...(skipReason ? { reason: skipReason } : {}),
    ...(stats ? { stats } : {}),
  };
}
