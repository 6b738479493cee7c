import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Prometheus text. */
export const GET = respond(async () => {
  const { text, contentType } = await getServices().metrics.scrape();
  return new Response(text, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
});
