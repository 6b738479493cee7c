import type { Metadata } from 'next';
import { BulkScan } from '@/components/bulk-scan';

// Rendered per request, so that the page's scripts carry the nonce of its Content Security Policy.
export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Bulk — sitescan' };

export default function BulkPage() {
  return <BulkScan />;
}
