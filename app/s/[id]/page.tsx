import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { notFound } from 'next/navigation';
import { LiveSearch } from '@/components/live-search';
import { searchIdSchema } from '@/lib/schemas';
import { NotFoundError } from '@/server/errors';
import { OWNER_COOKIE } from '@/server/http/ownership';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

async function load(id: string) {
  if (!searchIdSchema.safeParse(id).success) notFound();
  try {
    return await getServices().searches.get(id);
  } catch (error) {
    // By name: the error class in this bundle is not the one the server threw.
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const snapshot = await load(id);
  return { title: `${snapshot.search.query.name} — sitescan` };
}

/**
 * The live result page; its URL is the share link, read-only: Cancel is offered only to the
 * browser holding the search's capability (a cookie on this path, `server/http/ownership.ts`).
 */
export default async function SearchPage({ params }: Props) {
  const { id } = await params;
  const snapshot = await load(id);
  const { searches } = getServices();
  const owner = searches.isOwner(id, (await cookies()).get(OWNER_COOKIE)?.value);
  const previous = await searches.previousScan(snapshot.search);
  return <LiveSearch key={id} initial={snapshot} owner={owner} previous={previous} />;
}
