import { formatClock } from '@/lib/format';
import type { ClusterHealth } from '@/lib/types';
import { card, muted } from './ui';

/** The nodes of a cluster as the node that rendered the page sees them, and whether Redis answers. */
export function ClusterNodes({ health }: { health: ClusterHealth }) {
  return (
    <section aria-labelledby="cluster-nodes" className={`${card} mb-6 p-4`}>
      <h2 id="cluster-nodes" className="text-base font-semibold">
        Cluster: {health.nodes.length} {health.nodes.length === 1 ? 'node' : 'nodes'} alive
      </h2>
      <p className={`${muted} text-sm`}>
        Figures below are the whole cluster&apos;s: queue depth, requests in flight and request rate across every node.
        This page was rendered by {health.node}; Redis {health.redis === 'ok' ? 'answers' : 'is unreachable'}.
      </p>
      <ul className="mt-2 flex flex-wrap gap-2 text-sm">
        {health.nodes.map((node) => (
          <li key={node.id} className="rounded border border-slate-300 px-2 py-1 dark:border-slate-600">
            <span className="font-medium">{node.id}</span>
            {node.info.url ? <span className={muted}> · {node.info.url}</span> : null}
            <span className={muted}> · last heartbeat {formatClock(node.lastSeen)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
