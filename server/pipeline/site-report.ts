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
  return {
    siteId: definition.id,
    ...scheduled,
    requestsPerSec: scheduled.requestsPerSec ?? stats.requestsPerSec(now),
    limitPerSec: (definition.limits.requests * 1000) / definition.limits.perMs,
    latencyP50Ms: stats.latencyPercentile(50),
    latencyP95Ms: stats.latencyPercentile(95),
    errorRate: stats.errorRate(),
    attempts: stats.attempts,
    circuit: requester.circuitState(),
    ...(stats.lastError ? { lastError: stats.lastError } : {}),
  };
}

/** One registry entry as the operations view lists it; `stats` absent for a site not run. */
export function siteInfo(connector: SiteConnector, stats: SiteLiveStats | undefined): SiteInfo {
  const { definition, skipReason } = connector;
  return {
    id: definition.id,
    name: definition.name,
    kind: definition.kind,
    sandbox: definition.sandbox,
    limits: definition.limits,
    timeoutMs: definition.timeoutMs,
    retries: definition.retries,
    status: skipReason ? 'skipped' : 'active',
    ...(skipReason ? { reason: skipReason } : {}),
    ...(stats ? { stats } : {}),
  };
}
