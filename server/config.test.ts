import { describe, expect, it } from 'vitest';
import { MAX_BULK_ROWS } from '../lib/bulk-csv';
import { loadConfig, logLevelFrom } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      sandbox: { enabled: true, port: 0, speed: 1, seed: 1 },
      searchDeadlineMs: 5_000,
      bulkDeadlineMs: 60_000,
    });
    expect(config.elasticsearch).toBeUndefined();
    expect(config.sitesFile).toBeUndefined();
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/tmp/x',
      SITES_FILE: 'sites.json',
      SANDBOX: '0',
      SANDBOX_PORT: '4010',
      SANDBOX_SPEED: '0.1',
      SANDBOX_SEED: '7',
      SEARCH_DEADLINE_MS: '3000',
      ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/tmp/x',
      sitesFile: 'sites.json',
      sandbox: { enabled: false, port: 4010, speed: 0.1, seed: 7 },
      searchDeadlineMs: 3000,
      elasticsearch: { url: 'http://127.0.0.1:9200' },
    });
  });

  it('names every bad variable with what came', () => {
    expect(() => loadConfig({ PORT: 'eighty', SANDBOX: 'maybe', SEARCH_DEADLINE_MS: '-5' })).toThrow(
      /PORT must be an integer from 0 to 65535, got "eighty".*SANDBOX must be 1 or 0, got "maybe".*SEARCH_DEADLINE_MS must be an integer from 100/,
    );
    expect(() => loadConfig({ ELASTICSEARCH_URL: 'not a url' })).toThrow(/ELASTICSEARCH_URL/);
  });

  it('reads who may do what, and names each bad value', () => {
    expect(loadConfig({}).access).toEqual({
      bulkRowsPerHour: 2_000,
      clientBufferShare: 0.25,
      historyScope: 'all',
      ownership: 'address',
      ownerSecret: undefined,
      trustedProxies: new Set(),
      allowedOrigins: new Set(),
      accessToken: undefined,
    });
    const access = loadConfig({
      BULK_ROWS_PER_HOUR: '50',
      CLIENT_BUFFER_SHARE: '0.5',
      OWNERSHIP: 'token',
      OWNER_SECRET: 's'.repeat(32),
      TRUST_PROXY: '10.0.0.2, ::ffff:10.0.0.3',
      ALLOWED_ORIGINS: 'https://dashboard.example.com,http://localhost:8080',
      ACCESS_TOKEN: 'team-token-0123456789',
    }).access;
    expect(access).toEqual({
      bulkRowsPerHour: 50,
      clientBufferShare: 0.5,
      historyScope: 'all',
      ownership: 'token',
      ownerSecret: 's'.repeat(32),
      trustedProxies: new Set(['10.0.0.2', '10.0.0.3']),
      allowedOrigins: new Set(['https://dashboard.example.com', 'http://localhost:8080']),
      accessToken: 'team-token-0123456789',
    });
    // A public instance: its history scoped to the owner, and cancels by the capability alone.
    expect(loadConfig({ HISTORY_SCOPE: 'owner' }).access).toMatchObject({ historyScope: 'owner', ownership: 'token' });
    expect(loadConfig({ HISTORY_SCOPE: 'owner', OWNERSHIP: 'address' }).access).toMatchObject({ ownership: 'address' });
    expect(() => loadConfig({ HISTORY_SCOPE: 'everyone' })).toThrow(/HISTORY_SCOPE must be all or owner, got "everyone"/);
    expect(() => loadConfig({ ACCESS_TOKEN: 'short' })).toThrow(/ACCESS_TOKEN must be at least 16 letters/);
    expect(() => loadConfig({ OWNERSHIP: 'nobody' })).toThrow(/OWNERSHIP must be address or token, got "nobody"/);
    expect(() => loadConfig({ OWNER_SECRET: 'short' })).toThrow(/OWNER_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.internal' })).toThrow(/TRUST_PROXY must be IP addresses.*"proxy\.internal"/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://ok.example,https://x.example/path' })).toThrow(/ALLOWED_ORIGINS must be comma-separated origins.*"https:\/\/x\.example\/path"/);
    expect(() => loadConfig({ CLIENT_BUFFER_SHARE: '2' })).toThrow(/CLIENT_BUFFER_SHARE must be a number from 0.001 to 1, got "2"/);
  });

  it('reads LOG_LEVEL, silent under Vitest unless set, and names a bad one', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ VITEST: 'true' }).logLevel).toBe('silent');
    expect(loadConfig({ VITEST: 'true', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: '' }).logLevel).toBe('info');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
  });

  it('gives the logger its level before the configuration is loaded, the default for a bad one', () => {
    expect(logLevelFrom({ LOG_LEVEL: 'warn' })).toBe('warn');
    expect(logLevelFrom({ VITEST: 'true' })).toBe('silent');
    expect(logLevelFrom({ LOG_LEVEL: 'loud' })).toBe('info');
  });
  it('reads the Socket.IO limits, defaults that let the bulk page follow a whole run', () => {
    expect(loadConfig({}).sockets).toEqual({
      connectionsPerClient: 50,
      searchesPerConnection: MAX_BULK_ROWS,
      eventsPerSecond: 50,
      eventBurst: 1_500,
      allowedOrigins: [],
    });
    const config = loadConfig({
      SOCKET_CONNECTIONS_PER_CLIENT: '5',
      SOCKET_SEARCHES_PER_CONNECTION: '10',
      SOCKET_EVENTS_PER_SECOND: '3',
      SOCKET_EVENT_BURST: '20',
      ALLOWED_ORIGINS: ' https://Dashboard.example.com/ , http://127.0.0.1:8080,',
    });
    expect(config.sockets).toEqual({
      connectionsPerClient: 5,
      searchesPerConnection: 10,
      eventsPerSecond: 3,
      eventBurst: 20,
      allowedOrigins: ['https://dashboard.example.com', 'http://127.0.0.1:8080'],
    });
  });

  it('names a bad Socket.IO limit or origin', () => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/app' })).toThrow(
      'Invalid configuration: ALLOWED_ORIGINS must be comma-separated origins like https://sitescan.example.com (scheme, host and port; no path), got "https://bad.example/app"',
    );
    expect(() => loadConfig({ ALLOWED_ORIGINS: '*' })).toThrow(/ALLOWED_ORIGINS .*got "\*"/);
    expect(() => loadConfig({ SOCKET_CONNECTIONS_PER_CLIENT: '0' })).toThrow(
      'SOCKET_CONNECTIONS_PER_CLIENT must be an integer from 1 to 1000000, got "0"',
    );
    expect(() => loadConfig({ SOCKET_SEARCHES_PER_CONNECTION: '2000' })).toThrow(
      /SOCKET_EVENT_BURST \(1500\) must be at least SOCKET_SEARCHES_PER_CONNECTION \(2000\)/,
    );
  });
});
