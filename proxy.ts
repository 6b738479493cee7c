/**
 * A Content Security Policy on every page and API answer, with a fresh nonce per request: Next
 * puts it on its own inline scripts, and nothing else inline may run. The other security headers
 * (nosniff, no referrer, no framing) are set for every path in next.config.mjs.
 *
 * Socket.IO never reaches here: the custom server hands /socket.io/ to the hub before Next.
 */
import { NextResponse, type NextRequest } from 'next/server';

/** The policy for one nonce. Dev mode needs eval for React's fast refresh. */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? ` 'unsafe-eval'` : ''}`,
    // Tailwind ships a stylesheet; React sets a few style attributes (progress widths).
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data:`,
    `font-src 'self'`,
    // Same-origin fetches and the Socket.IO websocket.
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  // Next reads the nonce from the request's CSP header when it renders the page.
  requestHeaders.set('Content-Security-Policy', csp);
  requestHeaders.set('x-nonce', nonce);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
