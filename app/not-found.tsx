import Link from 'next/link';
import { connection } from 'next/server';
import { link, muted } from '@/components/ui';

/**
 * Unknown pages and unknown search ids. Rendered per request, never prerendered: the CSP
 * (proxy.ts) lets only scripts with the request's nonce run, and a prerendered page has none.
 */
export default async function NotFound() {
  await connection();
  return (
    <div className="space-y-3 py-10 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">Not found</h1>
      <p className={muted}>There is no page or search at this address. A share link must be copied whole.</p>
      <p>
        <Link href="/" className={link}>
          Start a new search
        </Link>{' '}
        or{' '}
        <Link href="/history" className={link}>
          look through the history
        </Link>
        .
      </p>
    </div>
  );
}
