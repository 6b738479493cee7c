/** @type {import('next').NextConfig} */
const nextConfig = {
  // The custom server (server/index.ts) owns the HTTP server; Next only renders.
  poweredByHeader: false,
  reactStrictMode: true,
  // Native and Node-only packages stay outside the bundle; route handlers reach the running
  // services through server/services.ts, never by importing them.
  serverExternalPackages: ['better-sqlite3', '@elastic/elasticsearch', 'pino', 'p-queue', 'socket.io'],
  // On every answer, static files included; the CSP with its per-request nonce is set in proxy.ts.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          // A share link must not leak to the sites a result links to.
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
