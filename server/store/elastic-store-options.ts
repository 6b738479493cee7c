/**
 * Options of the Elasticsearch store, their defaults and bounds, checked at once when the store
 * opens so that a bad value fails start-up with a message naming the field.
 */
import type { Logger } from 'pino';
import { ValidationError } from '../errors';
import { MAX_FLUSH_DOCS } from './elastic-write-buffer';

/** Options of `ElasticStore.open`. */
export interface ElasticStoreOptions {
  /** Elasticsearch URL, e.g. `http://127.0.0.1:9200`. Required. */
  readonly url: string;
  /** API key (the encoded form); takes precedence over `username`/`password`. */
  readonly apiKey?: string;
  /** Basic-auth user; needs `password`. */
  readonly username?: string;
  readonly password?: string;
  /**
   * Prefix of the index and template names (`<prefix>-searches`, `-results`, `-events`).
   * Default `sitescan`; lowercase letters, digits, `-` and `_`, starting with a letter or digit.
   */
  readonly indexPrefix?: string;
  /**
   * Most docs held in memory (buffered plus the flush in flight) while Elasticsearch is slow or
   * unreachable; a write beyond it is refused with `OverloadedError`. Default 100,000; 1–10,000,000.
   */
  readonly maxBuffered?: number;
  /** Longest a doc waits in the buffer before a flush starts. Default 100 ms; 1–60,000. */
  readonly flushMs?: number;
  /** Buffered docs that start a flush at once. Default 500; 1–10,000. */
  readonly flushDocs?: number;
  /** First delay before a failed flush is retried; it doubles per failure. Default 100 ms; 1–60,000. */
  readonly retryMinMs?: number;
  /** Longest delay between retries. Default 10,000 ms; at least `retryMinMs`, at most 600,000. */
  readonly retryMaxMs?: number;
  /** How long `close()` keeps flushing before it gives up. Default 10,000 ms; 0–600,000. */
  readonly closeTimeoutMs?: number;
  /** Timeout of each request to Elasticsearch. Default 30,000 ms; 100–600,000. */
  readonly requestTimeoutMs?: number;
  /** Parent logger. Default the process logger. */
  readonly logger?: Logger;
}

/** The options with every default filled in and every bound checked (credentials and logger apart). */
export type ElasticStoreSettings = Required<Omit<ElasticStoreOptions, 'apiKey' | 'username' | 'password' | 'logger'>>;

const DEFAULTS = {
  indexPrefix: 'sitescan',
  maxBuffered: 100_000,
  flushMs: 100,
  flushDocs: 500,
  retryMinMs: 100,
  retryMaxMs: 10_000,
  closeTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const;

/**
 * The settings of `options`, defaults spread in. Throws `ValidationError` saying what was expected
 * and what came for the first option out of bounds.
 */
export function elasticStoreSettings(options: ElasticStoreOptions): ElasticStoreSettings {
  const url: unknown = options?.url;
  if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new ValidationError(`Expected \`url\` to be an http(s) URL like http://127.0.0.1:9200, got ${JSON.stringify(url)}`);
  }
  const indexPrefix: unknown = options.indexPrefix ?? DEFAULTS.indexPrefix;
  if (typeof indexPrefix !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,199}$/.test(indexPrefix)) {
    throw new ValidationError(
      `Expected \`indexPrefix\` to be 1–200 lowercase letters, digits, '-' or '_' starting with a letter or digit, got ${JSON.stringify(indexPrefix)}`,
    );
  }
  if (options.username !== undefined && options.password === undefined) {
    throw new ValidationError('Expected `password` with `username`, got none');
  }
  const integer = (name: keyof typeof DEFAULTS, min: number, max: number): number => {
    const value: unknown = options[name] ?? DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ValidationError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const retryMinMs = integer('retryMinMs', 1, 60_000);
  return {
    url,
    indexPrefix,
    maxBuffered: integer('maxBuffered', 1, 10_000_000),
    flushMs: integer('flushMs', 1, 60_000),
    flushDocs: integer('flushDocs', 1, MAX_FLUSH_DOCS),
    retryMinMs,
    retryMaxMs: integer('retryMaxMs', retryMinMs, 600_000),
    closeTimeoutMs: integer('closeTimeoutMs', 0, 600_000),
    requestTimeoutMs: integer('requestTimeoutMs', 100, 600_000),
  };
}

/** `url` without its password, for logs and messages. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.origin === 'null' ? url : parsed.toString().replace(/\/$/, '');
}
