/**
 * Answers the custom server writes itself, ahead of Next (`edge.ts`): JSON with the
 * security headers Next puts on its own answers (next.config.mjs; a test keeps the two in step)
 * and a CSP that lets a JSON answer do nothing.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorAnswer } from './error-answer';

/** Security headers of every answer, as next.config.mjs sets them for Next's. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** Writes a body with the security headers and a CSP that lets it do nothing; `headers` adds to them. */
function writeAnswer(res: ServerResponse, status: number, contentType: string, text: string, headers: Readonly<Record<string, string>>): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Cache-Control': 'no-store',
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

/** Writes a JSON answer with the security headers; `headers` adds to them. */
export function answerJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  writeAnswer(res, status, 'application/json', JSON.stringify(body), headers);
}

/** Writes an error answer (`error-answer.ts`) as the route handlers' responder would. */
export function answerError(res: ServerResponse, { status, body, headers }: ErrorAnswer): void {
  answerJson(res, status, body, headers);
}

/** Writes a short text page (no markup from anywhere but here, nothing it could run). */
export function answerPage(res: ServerResponse, status: number, title: string, text: string, headers: Readonly<Record<string, string>> = {}): void {
  const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(title)}</title><main><h1>${escape(title)}</h1><p>${escape(text)}</p></main></html>`;
  writeAnswer(res, status, 'text/html; charset=utf-8', html, headers);
}
