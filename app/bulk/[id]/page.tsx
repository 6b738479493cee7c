import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { BulkRunPage } from '@/components/bulk-run-page';
import { bulkRunIdSchema } from '@/lib/schemas';
import { NotFoundError } from '@/server/errors';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

async function load(id: string) {
  if (!bulkRunIdSchema.safeParse(id).success) notFound();
  try {
    return await getServices().searches.bulkRun(id);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await load((await params).id);
  return { title: `Bulk run${run.name ? ` of ${run.name}` : ''} — sitescan` };
}

/** A bulk run, live while any of its searches runs; its URL is the share link. */
export default async function BulkRunRoute({ params }: Props) {
  const run = await load((await params).id);
  return <BulkRunPage run={run} />;
}
