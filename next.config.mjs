/** @type {import('next').NextConfig} */
const nextConfig = {
  // The custom server (server/index.ts) owns the HTTP server; Next only renders.
  poweredByHeader: false,
  reactStrictMode: true,
  // Native and Node-only packages stay outside the bundle; route handlers reach the running
  // services through server/services.ts, never by importing them.
  serverExternalPackages: ['better-sqlite3', '@elastic/elasticsearch', 'pino', 'p-queue', 'socket.io'],
};

export default nextConfig;
