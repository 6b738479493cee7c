/**
 * The composition root: reads config, opens the store, starts the sandbox network (SANDBOX=1),
 * builds the site registry, starts what runs searches (the pipeline, or a cluster node with
 * REDIS_URL: `start-runner.ts`), and serves Next.js and Socket.IO on one HTTP server.
 * Everything composed here is registered once in `services.ts` for route handlers.
 *
 * `npm start` (production) and `npm run dev` (`--dev`) both run this file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type RequestListener, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config';
import { ClientRateLimiter } from './http/client-rate-limiter';
import { createEdge } from './http/edge';
import { SearchCapabilities } from './http/ownership';
import { healthReport } from './http/health';
import { Hub } from './hub';
import { ChartSampler } from './chart-sampler';
import { Metrics } from './metrics';
import { logger as rootLogger } from './logger';
import { startSandbox, type Sandbox } from './sandbox';
import { SearchService } from './search-service';
import { registerServices, type Services } from './services';
import { startRunner } from './start-runner';
import { createAdapterConnectors } from './sites/adapters';
import { loadSitesFile, SiteRegistry } from './sites/site-registry';
import type { SiteDefinitionInput } from './sites/site-definition';
import { ElasticStore } from './store/elastic-store';
import { SqliteStore } from './store/sqlite-store';
import type { Store } from './store/store';

/** The project root (where `app/` and `.next/` live). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Options of `startSitescan`. */
export interface StartOptions {
  readonly config: Config;
  /** Next.js dev mode (hot reload). Default false. */
  readonly dev?: boolean;
  /** Serve the Next.js pages and routes. Default true; tests of the hub alone turn it off. */
  readonly web?: boolean;
  readonly logger?: Logger;
}

/** A running sitescan. */
export interface RunningSitescan {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly services: Services;
  readonly sandbox?: Sandbox;
  readonly httpServer: HttpServer;
  /** Stops admitting work, ends running searches, flushes the store, closes everything. */
  close(): Promise<void>;
}

async function openStore(config: Config, logger: Logger): Promise<Store> {
  if (config.elasticsearch) {
    const { url, indexPrefix, apiKey, username, password } = config.elasticsearch;
    return ElasticStore.open({ url, indexPrefix, apiKey, username, password, logger });
  }
  await mkdir(config.dataDir, { recursive: true });
  return SqliteStore.open(config.dataDir);
}

/** The sandbox network (SANDBOX=1) and the registry of every site: built-in, from SITES_FILE, adapters. */
async function composeSites(config: Config, logger: Logger): Promise<{ sandbox?: Sandbox; registry: SiteRegistry }> {
  const sandbox = config.sandbox.enabled
    ? await startSandbox({
        port: config.sandbox.port,
        seed: config.sandbox.seed,
        speed: config.sandbox.speed,
        profile: config.sandbox.profile,
      })
    : undefined;
  if (sandbox) logger.info({ url: sandbox.url }, 'sandbox network started');
  const builtIn: SiteDefinitionInput[] = sandbox ? sandbox.siteDefinitions() : [];
  const fromFile = config.sitesFile ? await loadSitesFile(config.sitesFile) : [];
  const adapters = createAdapterConnectors({
    env: process.env,
    sandbox: sandbox ? { apiBaseUrls: sandbox.apiBaseUrls(), apiLimits: sandbox.apiLimits() } : undefined,
  });
  return { sandbox, registry: SiteRegistry.fromDefinitions(builtIn, fromFile, adapters) };
}

type UpgradeListener = (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void;

/** Next.js's request handler (and, in dev, its hot-reload upgrade handler). */
async function prepareNext(config: Config, dev: boolean): Promise<{ next: RequestListener; upgrade?: UpgradeListener }> {
  const { default: nextJs } = await import('next');
  const nextApp = nextJs({ dev, dir: PROJECT_ROOT, hostname: 'localhost', port: config.port });
  await nextApp.prepare();
  const requestHandler = nextApp.getRequestHandler();
  const next: RequestListener = (req, res) => void requestHandler(req, res);
  if (!dev) return { next };
  const upgradeHandler = nextApp.getUpgradeHandler();
  // Next catches its own upgrade failures (logs them, ends the socket), as its request handler
  // does: nothing here would act on the promise.
  return { next, upgrade: (req, socket, head) => void upgradeHandler(req, socket, head) };
}

/** Listens and resolves with the base URL a browser on this machine uses. */
async function listen(httpServer: HttpServer, config: Config): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Composes and starts sitescan. */
export async function startSitescan(options: StartOptions): Promise<RunningSitescan> {
  const { config, dev = false, web = true } = options;
  const logger = options.logger ?? rootLogger;
  const startedAt = Date.now();

  const store = await openStore(config, logger);
  const { sandbox, registry } = await composeSites(config, logger);
  const parts = await startRunner(config, store, registry, logger);
  const { runner: pipeline, live, events, clusterHealth } = parts;
  const { access } = config;
  const capabilities = new SearchCapabilities(await parts.ownerSecret(access.ownerSecret ?? randomBytes(32).toString('base64url')));
  const searches = new SearchService({
    runner: pipeline,
    live,
    store,
    capabilities,
    addressFallback: access.ownership === 'address',
    historyScope: access.historyScope,
    maxClientJobs: Math.max(1, Math.floor(config.maxBufferedJobs * access.clientBufferShare)),
  });
  const { next, upgrade } = web ? await prepareNext(config, dev) : {};

  const edge = createEdge({
    load: () => pipeline.load(),
    health: () => healthReport({ store, registry, pipeline, startedAt, cluster: clusterHealth }),
    next,
    logger,
    trustedProxies: access.trustedProxies,
    allowedOrigins: access.allowedOrigins,
    accessToken: access.accessToken,
  });
  const httpServer = createServer(edge.handle);
  const charts = new ChartSampler({ events, sites: () => pipeline.sites(), logger, scope: parts.nodeId ? 'node' : 'process' });
  charts.start();
  const hub = new Hub(httpServer, {
    charts,
    eventLog: events,
    searches,
    logger,
    sites: () => pipeline.sites(),
    adapter: parts.adapter,
    limits: config.sockets,
    trustedProxies: access.trustedProxies,
    accessToken: access.accessToken,
  });
  if (upgrade) {
    // Next's hot-reload socket shares the server with Socket.IO in dev.
    httpServer.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io/')) upgrade(req, socket, head);
    });
  }
  const clientLimiter = new ClientRateLimiter(config.clientSearchesPerMinute);
  const bulkLimiter = new ClientRateLimiter(access.bulkRowsPerHour, { things: 'bulk rows', seconds: 3_600, per: 'hour' });
  const metrics = new Metrics(events, pipeline, parts.nodeId);
  const services: Services = { config, store, registry, pipeline, searches, hub, clientLimiter, bulkLimiter, metrics, startedAt, clusterHealth };
  registerServices(services);
  const url = await listen(httpServer, config);
  await parts.announce(url);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await pipeline.close(config.shutdownTimeoutMs);
      hub.close();
      charts.close();
      metrics.close();
      edge.close();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      try {
        await parts.close(Math.max(1_000, config.shutdownTimeoutMs));
        await store.close();
      } finally {
        await sandbox?.close();
        registerServices(undefined);
      }
    })());

  return { url, services, sandbox, httpServer, close };
}

/** Runs sitescan from the environment until SIGINT/SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const dev = argv.includes('--dev');
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    rootLogger.fatal((error as Error).message);
    process.exit(1);
  }
  rootLogger.level = config.logLevel;
  let app: RunningSitescan;
  try {
    app = await startSitescan({ config, dev });
  } catch (error) {
    rootLogger.fatal({ err: error }, `sitescan could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  rootLogger.info(
    { url: app.url, sites: app.services.registry.size, sandbox: Boolean(app.sandbox), dev, startupMs: Date.now() - app.services.startedAt },
    `sitescan is ready on ${app.url}`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      rootLogger.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          rootLogger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void main();
}
