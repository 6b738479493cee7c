import { describe, expect, it, vi } from 'vitest';
import type { SiteResult } from '../../lib/types';
import { makeSearch, searchId } from '../store/store-conformance';
import { ClusterSearchLog } from './cluster-search-log';
import { TestCluster } from './test-support';
import { withServices } from '../../scripts/testing/with-services';

const SITES = ['alpha.example', 'beta.example', 'gamma.example'];

function openResults(): SiteResult[] {
  return SITES.map((siteId) => ({ siteId, siteName: siteId, sandbox: true, status: 'pending', attempts: 0 }));
}

withServices('ClusterSearchLog', ['redis'], ({ redis: url }) => {
  describe('ClusterSearchLog.states', () => {
    it('reads where many searches stand in one round trip, as each one\'s snapshot has it; one Redis no longer has is absent', async () => {
      const cluster = new TestCluster(url);
      try {
        const node = cluster.node();
        const log = new ClusterSearchLog({ redis: node.redis, signals: node.signals, logger: cluster.logger, keyPrefix: cluster.prefix });
        const [running, completed, cancelled, unknown] = [searchId(1), searchId(2), searchId(3), searchId(4)];
        for (const id of [running, completed, cancelled]) {
          await log.create(makeSearch(id, { status: 'running', summary: { total: 3, found: 0, partial: 0, failed: 0, open: 3 } }), openResults());
        }
        const done = (siteId: string, outcome: 'found' | 'partial' | 'not_found') =>
          ({ type: 'site:done', siteId, data: { attempt: 1, latencyMs: 10, outcome, score: 1 } }) as const;
        await log.finish(running, done('alpha.example', 'found'));
        await log.finish(completed, done('alpha.example', 'partial'));
        await log.finish(completed, { type: 'site:failed', siteId: 'beta.example', data: { attempt: 1, reason: 'timeout' } });
        await log.finish(completed, done('gamma.example', 'not_found'));
        await log.finish(cancelled, done('beta.example', 'found'));
        await log.end(cancelled, 'cancel');

        const pipelines = vi.spyOn(node.redis, 'pipeline');
        const states = await log.states([running, completed, cancelled, unknown]);
        expect(pipelines).toHaveBeenCalledTimes(1);

        expect([...states.keys()]).toEqual([running, completed, cancelled]);
        for (const id of [running, completed, cancelled]) {
          const { search } = (await log.snapshot(id))!;
          expect(states.get(id)).toStrictEqual({ status: search.status, summary: search.summary });
        }
        expect(states.get(running)).toStrictEqual({
          status: 'running',
          summary: { total: 3, found: 1, partial: 0, notFound: 0, failed: 0, skipped: 0, cancelled: 0, open: 2 },
        });
        expect(states.get(cancelled)?.status).toBe('cancelled');
        expect(states.get(cancelled)?.summary).toMatchObject({ found: 1, cancelled: 2, open: 0 });
        expect(await log.states([])).toStrictEqual(new Map());
      } finally {
        await cluster.dispose();
      }
    });
  });
});
