/**
 * Configuration from the environment, validated once at start-up. A bad value stops the process
 * with a message naming the variable, what was expected and what came.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { ValidationError } from './errors';
import { ACCESS_TOKEN_PATTERN } from './http/access-token';
import { parseTrustedProxies } from './http/client-address';
import { MIN_SECRET_LENGTH } from './http/ownership';
import { originOf } from './http/origins';
import { DEFAULT_SOCKET_LIMITS, type SocketLimits } from './socket-limits';

/** Variables of an environment, as `process.env` holds them. */
type Environment = Readonly<Record<string, string | undefined>>;

const flag = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
      if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be 1 or 0, got ${JSON.stringify(value)}` });
      return z.NEVER;
    });

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return parsed;
    });

const number = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return parsed;
    });

/** The pino levels `LOG_LEVEL` may name. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A pino level `LOG_LEVEL` may name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const logLevel = z
  .string()
  .optional()
  .transform((value, ctx): LogLevel | undefined => {
    if (value === undefined || value === '') return undefined;
    if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
    ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  });

// Tests log only when asked to: a passing run stays readable.
const defaultLogLevel = (env: Environment): LogLevel => (env.VITEST ? 'silent' : 'info');

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

/** `ALLOWED_ORIGINS`: comma-separated origins, each written as `URL.origin` writes it. */
const originList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const entries = (value ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
    const origins: string[] = [];
    for (const entry of entries) {
      const origin = originOf(entry);
      if (origin === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `ALLOWED_ORIGINS must be comma-separated origins like https://sitescan.example.com (scheme, host and port; no path), got ${JSON.stringify(entry)}`,
        });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return origins;
  });

const envSchema = z.object({
  PORT: integer('PORT', 3000, 0, 65_535),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  SITES_FILE: optionalString,
  SANDBOX: flag('SANDBOX', true),
  SANDBOX_PORT: integer('SANDBOX_PORT', 0, 0, 65_535),
  SANDBOX_SPEED: number('SANDBOX_SPEED', 1, 0, 100),
  SANDBOX_SEED: integer('SANDBOX_SEED', 1, 0, 2 ** 31 - 1),
  SANDBOX_PROFILE: z.enum(['default', 'calm', 'stormy', 'load'], {
    error: (issue) => `SANDBOX_PROFILE must be one of default, calm, stormy, load, got ${JSON.stringify(issue.input)}`,
  }).default('default'),
  SEARCH_DEADLINE_MS: integer('SEARCH_DEADLINE_MS', 5_000, 100, 600_000),
  BULK_DEADLINE_MS: integer('BULK_DEADLINE_MS', 60_000, 100, 3_600_000),
  /**
   * `on` (default): a request slower than its site's usual p95 may get one hedged copy, within
   * the site's limits and a 10% budget (server/pipeline/hedge-policy.ts). `off`: never.
   */
  HEDGING: z.enum(['on', 'off'], {
    error: (issue) => `HEDGING must be on or off, got ${JSON.stringify(issue.input)}`,
  }).default('on'),
  /** Site jobs the dispatcher may buffer before new searches are refused with 429. */
  MAX_BUFFERED_JOBS: integer('MAX_BUFFERED_JOBS', 50_000, 1, 10_000_000),
  /** On SIGTERM: how long requests in flight may finish, then how long the store may take the rest. */
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  /** POST /api/searches per client address per minute. */
  CLIENT_SEARCHES_PER_MINUTE: integer('CLIENT_SEARCHES_PER_MINUTE', 60, 1, 1_000_000),
  // --- who may do what (server/http/ownership.ts, cross-site.ts, client-address.ts) ---
  /** Bulk rows per client address per hour (POST /api/bulk), apart from CLIENT_SEARCHES_PER_MINUTE. */
  BULK_ROWS_PER_HOUR: integer('BULK_ROWS_PER_HOUR', 2_000, 1, 10_000_000),
  /** Share of MAX_BUFFERED_JOBS the running searches of one client may hold. */
  CLIENT_BUFFER_SHARE: number('CLIENT_BUFFER_SHARE', 0.25, 0.001, 1),
  /**
   * `all` (default, a team's instance): the history lists every search. `owner` (an instance open
   * to the public): a client sees only the searches it started (server/http/history-key.ts).
   */
  HISTORY_SCOPE: z.enum(['all', 'owner'], {
    error: (issue) => `HISTORY_SCOPE must be all or owner, got ${JSON.stringify(issue.input)}`,
  }).default('all'),
  /**
   * `address`: a cancel without the search's capability is accepted from the address that created
   * it, while it runs on this process. `token`: the capability alone. Default: `address`, and
   * `token` with HISTORY_SCOPE=owner (an instance open to the public).
   */
  OWNERSHIP: z.enum(['address', 'token'], {
    error: (issue) => `OWNERSHIP must be address or token, got ${JSON.stringify(issue.input)}`,
  }).optional(),
  /** Secret of the owner capabilities; default a random one per process (in a cluster, shared through Redis). */
  OWNER_SECRET: optionalString.pipe(
    z.string().min(MIN_SECRET_LENGTH, { error: `OWNER_SECRET must be at least ${MIN_SECRET_LENGTH} characters` }).optional(),
  ),
  /** IP addresses of the proxies in front of sitescan whose X-Forwarded-For names the client. */
  TRUST_PROXY: optionalString.transform((value, ctx) => {
    try {
      return parseTrustedProxies(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /** The token the whole instance is behind (pages, API, sockets; /api/health stays open). */
  ACCESS_TOKEN: optionalString.pipe(
    z.string().regex(ACCESS_TOKEN_PATTERN, { error: 'ACCESS_TOKEN must be at least 16 letters, digits, ".", "_", "~" or "-"' }).optional(),
  ),
  ELASTICSEARCH_URL: optionalString.pipe(
    z.url({ error: 'ELASTICSEARCH_URL must be a URL like http://127.0.0.1:9200' }).optional(),
  ),
  ELASTICSEARCH_API_KEY: optionalString,
  /** Prefix of the store's indices (and their templates): several installations on one cluster. */
  ELASTICSEARCH_INDEX_PREFIX: optionalString.pipe(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,199}$/, { error: 'ELASTICSEARCH_INDEX_PREFIX must be lower-case letters, digits, "_" or "-", starting with a letter or digit' })
      .optional(),
  ),
  ELASTICSEARCH_USERNAME: optionalString,
  ELASTICSEARCH_PASSWORD: optionalString,
  LOG_LEVEL: logLevel,
  /** Set: cluster mode, with the other nodes on this Redis (and the store on Elasticsearch). */
  REDIS_URL: optionalString.pipe(
    z
      .url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a URL like redis://127.0.0.1:6379' })
      .optional(),
  ),
  /** This node's name in the cluster. */
  NODE_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'NODE_ID must be 1 to 64 letters, digits, ".", "_" or "-"' })
      .optional(),
  ),
  // Socket.IO limits on each client (issue 17); see socket-limits.ts for the defaults' reasons.
  /** Socket.IO connections one client address may hold at once. */
  SOCKET_CONNECTIONS_PER_CLIENT: integer('SOCKET_CONNECTIONS_PER_CLIENT', DEFAULT_SOCKET_LIMITS.connectionsPerClient, 1, 1_000_000),
  /** Searches one Socket.IO connection may follow. */
  SOCKET_SEARCHES_PER_CONNECTION: integer('SOCKET_SEARCHES_PER_CONNECTION', DEFAULT_SOCKET_LIMITS.searchesPerConnection, 1, 1_000_000),
  /** Event budget of a connection: points regained per second, and points held at most. */
  SOCKET_EVENTS_PER_SECOND: integer('SOCKET_EVENTS_PER_SECOND', DEFAULT_SOCKET_LIMITS.eventsPerSecond, 1, 1_000_000),
  SOCKET_EVENT_BURST: integer('SOCKET_EVENT_BURST', DEFAULT_SOCKET_LIMITS.eventBurst, 1, 10_000_000),
  /** Origins besides the instance's own whose pages may change searches and open Socket.IO connections. */
  ALLOWED_ORIGINS: originList,
}).superRefine((e, ctx) => {
  if (e.REDIS_URL && !e.ELASTICSEARCH_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message:
        'REDIS_URL is set (cluster mode) but ELASTICSEARCH_URL is not: the nodes of a cluster share their searches through Elasticsearch, SQLite is one machine\'s file. Set ELASTICSEARCH_URL too, or unset REDIS_URL for a single process',
    });
  }
}).superRefine((e, ctx) => {
  if (e.SOCKET_EVENT_BURST < e.SOCKET_SEARCHES_PER_CONNECTION) {
    ctx.addIssue({
      code: 'custom',
      path: ['SOCKET_EVENT_BURST'],
      message: `SOCKET_EVENT_BURST (${e.SOCKET_EVENT_BURST}) must be at least SOCKET_SEARCHES_PER_CONNECTION (${e.SOCKET_SEARCHES_PER_CONNECTION}): a page that follows that many searches subscribes to them all at once, and would be cut off`,
    });
  }
});

/** Validated configuration. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly sitesFile?: string;
  readonly sandbox: {
    readonly enabled: boolean;
    readonly port: number;
    readonly speed: number;
    readonly seed: number;
    readonly profile: 'default' | 'calm' | 'stormy' | 'load';
  };
  readonly searchDeadlineMs: number;
  /** Hedged requests (HEDGING). */
  readonly hedging: boolean;
  readonly bulkDeadlineMs: number;
  readonly maxBufferedJobs: number;
  readonly shutdownTimeoutMs: number;
  readonly clientSearchesPerMinute: number;
  /** Who may do what; see the variables of the same names. */
  readonly access: {
    readonly bulkRowsPerHour: number;
    readonly clientBufferShare: number;
    readonly historyScope: 'all' | 'owner';
    readonly ownership: 'address' | 'token';
    readonly ownerSecret?: string;
    readonly trustedProxies: ReadonlySet<string>;
    readonly allowedOrigins: ReadonlySet<string>;
    readonly accessToken?: string;
  };
  readonly elasticsearch?: {
    readonly url: string;
    /** Default `sitescan`. */
    readonly indexPrefix?: string;
    readonly apiKey?: string;
    readonly username?: string;
    readonly password?: string;
  };
  /** `LOG_LEVEL`; default `info`, `silent` under Vitest. */
  readonly logLevel: LogLevel;
  /** What one Socket.IO client may cost: `SOCKET_*`, `ALLOWED_ORIGINS`. */
  readonly sockets: SocketLimits;
  /** Cluster mode (REDIS_URL set): the Redis every node shares, and this node's name. */
  readonly cluster?: {
    readonly redisUrl: string;
    readonly nodeId: string;
  };
}

/**
 * The log level an environment names, for the root logger before the whole configuration is
 * read (modules log from import on): `LOG_LEVEL`, else the default. A bad value gives the
 * default here; `loadConfig` refuses it at start-up.
 */
export function logLevelFrom(env: Environment = process.env): LogLevel {
  const parsed = logLevel.safeParse(env.LOG_LEVEL);
  return (parsed.success ? parsed.data : undefined) ?? defaultLogLevel(env);
}

/** Reads the configuration from an environment; throws `ValidationError` naming each bad variable. */
export function loadConfig(env: Environment = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.message.startsWith(String(issue.path[0])) ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ValidationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    sitesFile: e.SITES_FILE,
    sandbox: {
      enabled: e.SANDBOX,
      port: e.SANDBOX_PORT,
      speed: e.SANDBOX_SPEED,
      seed: e.SANDBOX_SEED,
      profile: e.SANDBOX_PROFILE,
    },
    searchDeadlineMs: e.SEARCH_DEADLINE_MS,
    hedging: e.HEDGING === 'on',
    bulkDeadlineMs: e.BULK_DEADLINE_MS,
    maxBufferedJobs: e.MAX_BUFFERED_JOBS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    clientSearchesPerMinute: e.CLIENT_SEARCHES_PER_MINUTE,
    access: {
      bulkRowsPerHour: e.BULK_ROWS_PER_HOUR,
      clientBufferShare: e.CLIENT_BUFFER_SHARE,
      historyScope: e.HISTORY_SCOPE,
      ownership: e.OWNERSHIP ?? (e.HISTORY_SCOPE === 'owner' ? 'token' : 'address'),
      ownerSecret: e.OWNER_SECRET,
      trustedProxies: e.TRUST_PROXY,
      allowedOrigins: new Set(e.ALLOWED_ORIGINS),
      accessToken: e.ACCESS_TOKEN,
    },
    elasticsearch: e.ELASTICSEARCH_URL
      ? {
          url: e.ELASTICSEARCH_URL,
          indexPrefix: e.ELASTICSEARCH_INDEX_PREFIX,
          apiKey: e.ELASTICSEARCH_API_KEY,
          username: e.ELASTICSEARCH_USERNAME,
          password: e.ELASTICSEARCH_PASSWORD,
        }
      : undefined,
    logLevel: e.LOG_LEVEL ?? defaultLogLevel(env),
    sockets: {
      connectionsPerClient: e.SOCKET_CONNECTIONS_PER_CLIENT,
      searchesPerConnection: e.SOCKET_SEARCHES_PER_CONNECTION,
      eventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
      eventBurst: e.SOCKET_EVENT_BURST,
      allowedOrigins: e.ALLOWED_ORIGINS,
    },
    cluster: e.REDIS_URL ? { redisUrl: e.REDIS_URL, nodeId: e.NODE_ID ?? `${hostname()}-${process.pid}` } : undefined,
  };
}
