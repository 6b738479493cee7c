import type { Metadata } from 'next';
import { ClusterNodes } from '@/components/cluster-nodes';
import { SitesLive } from '@/components/sites-live';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sites — sitescan' };

/** The operations view: every site's queue, rate, latency, timeout, hedging, errors and circuit, live; in a cluster, the nodes alive. */
export default async function SitesPage() {
  const { pipeline, clusterHealth } = getServices();
  const cluster = clusterHealth ? await clusterHealth() : undefined;
  return (
    <>
      {cluster ? <ClusterNodes health={cluster} /> : null}
      <SitesLive initial={pipeline.sites()} renderedAt={Date.now()} />
    </>
  );
}
