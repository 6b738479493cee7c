import type { Metadata } from 'next';
import { SitesLive } from '@/components/sites-live';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sites — sitescan' };

/** The operations view: every site's queue, rate, latency, errors and circuit, live. */
export default function SitesPage() {
  return <SitesLive initial={getServices().pipeline.sites()} renderedAt={Date.now()} />;
}
