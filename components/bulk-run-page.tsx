'use client';

import Link from 'next/link';
import { formatUtcMinute } from '@/lib/format';
import type { BulkRunView as BulkRunRecord } from '@/lib/types';
import type { BulkRun } from './bulk-run';
import { BulkRunActions } from './bulk-run-actions';
import { BulkRunView } from './bulk-run-view';
import { card, link, muted } from './ui';

/** What the run view follows, from what `GET /api/bulk/:id` answers. */
function runOf(view: BulkRunRecord): BulkRun {
  return {
    key: 0,
    startedAt: view.createdAt,
    fileName: view.name,
    searches: view.searches.map((search) => ({ line: search.line, id: search.id, url: `/s/${search.id}`, name: search.name })),
    errors: view.errors,
  };
}

/**
 * The page of one bulk run (`/bulk/<id>`): the run followed live, its link to share, and what can
 * be done with it (export, run again, its searches in the history).
 */
export function BulkRunPage({ run }: { run: BulkRunRecord }) {
  return (
    <div className="space-y-6">
      <header className={`${card} p-5 sm:p-6`}>
        <h1 className="text-2xl font-semibold tracking-tight">Bulk run{run.name ? ` of ${run.name}` : ''}</h1>
        <p className={`mt-1 text-sm ${muted}`}>
          Started <time dateTime={new Date(run.createdAt).toISOString()}>{formatUtcMinute(run.createdAt)}</time>
          {' · '}
          {run.searches.length} {run.searches.length === 1 ? 'search' : 'searches'}
          {run.errors.length > 0 ? ` · ${run.errors.length} ${run.errors.length === 1 ? 'row' : 'rows'} not started` : ''}. This page&apos;s
          address is the link to share.{' '}
          <Link href="/bulk" className={`${link} print:hidden`}>
            Start another bulk scan
          </Link>
        </p>
        <div className="mt-4">
          <BulkRunActions runId={run.id} />
        </div>
      </header>
      <BulkRunView run={runOf(run)} />
    </div>
  );
}
