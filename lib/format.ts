/**
 * Formatting shared by the pages: times, durations, event details. Pure functions, no locale
 * surprises between server and browser render (UTC-free, fixed formats).
 */
import type { SearchEvent } from './types';

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `14:03:07.512` in the viewer's local time. */
export function formatClock(at: number): string {
  const date = new Date(at);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** `2026-11-27 14:03` in the viewer's local time. */
export function formatDateTime(at: number): string {
  const date = new Date(at);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `2026-11-27 14:03 UTC`: the same text on the server and in every browser (no hydration mismatch). */
export function formatUtcMinute(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `850 ms`, `1.24 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A short description of what an event carries, for the event log. */
export function describeEvent(event: SearchEvent): string {
  const parts: (string | undefined)[] = [];
  switch (event.type) {
    case 'search:created':
      parts.push(`${event.data.results.length} sites`);
      break;
    case 'site:started':
      parts.push(`attempt ${event.data.attempt}`, event.data.reason);
      break;
    case 'site:done':
      parts.push(event.data.outcome.replace('_', ' '), formatDuration(event.data.latencyMs), event.data.reason);
      break;
    case 'site:failed':
      parts.push(event.data.latencyMs === undefined ? undefined : formatDuration(event.data.latencyMs), event.data.reason);
      break;
    case 'site:skipped':
      parts.push(event.data.reason);
      break;
    case 'site:retrying':
    case 'site:rate_limited':
      parts.push(event.data.reason, `next try in ${formatDuration(event.data.delayMs)}`);
      break;
    case 'site:hedged':
      parts.push(`request slower than usual: hedge sent after ${formatDuration(event.data.delayMs)}`);
      break;
    case 'search:completed':
    case 'search:cancelled':
    case 'search:interrupted': {
      const s = event.data.summary;
      if (s) parts.push(`${s.found} found, ${s.partial} possible errors, ${s.notFound} not found, ${s.failed} failed`);
      break;
    }
    default:
      break;
  }
  return parts.filter((part) => part !== undefined && part !== '').join(' · ');
}

/** `83 %`, or `—` when there is no figure yet. */
export function formatPercent(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '—' : `${Math.round(ratio * 100)} %`;
}

/** `3.2/s`. */
export function formatRate(perSecond: number): string {
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`;
}

/** Rate windows longer than the 10 s a site's requests/s are taken over, as a person says them. */
const LONG_WINDOWS: readonly [number, string][] = [
  [86_400_000, 'a day'],
  [3_600_000, 'an hour'],
  [60_000, 'a minute'],
];

/**
 * A quota over a window longer than 10 s in its own terms (`10,000 a day`, `600 a minute`);
 * undefined for a shorter one. Such a quota allows bursts far above its average per second, so
 * the views tell it this way rather than as requests/s a site keeping to it would seem to break.
 */
export function formatLongQuota({ requests, perMs }: { readonly requests: number; readonly perMs: number }): string | undefined {
  if (perMs <= 10_000) return undefined;
  const window = LONG_WINDOWS.find(([ms]) => ms === perMs)?.[1] ?? `per ${Number((perMs / 1000).toFixed(1))} s`;
  return `${requests.toLocaleString('en-US')} ${window}`;
}

/** Time left as a person says it: `about 3 s`, `about 2 min 5 s`, `under 1 s`; `—` when unknown. */
export function formatRemaining(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms <= 0) return 'none';
  if (ms < 1000) return 'under 1 s';
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `about ${seconds} s`;
  return `about ${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** `just now`, `42 s ago`, `5 min ago`, `3 h ago`, or the date for older times. */
export function formatAgo(at: number, now: number): string {
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatDateTime(at);
}
