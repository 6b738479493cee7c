import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOutcome, provision, suiteEnvironment, type Available, type Provided, type TestService } from './provision';
import { chromiumService, elasticsearchService, redisService } from './services';

/** A service whose find and provide answer as told, counting the calls. */
function fakeService(found: Available | undefined, provided: Provided | Error): TestService & { provides: number } {
  const service = {
    name: 'elasticsearch' as const,
    provides: 0,
    find: () => Promise.resolve(found),
    provide: () => {
      service.provides += 1;
      return provided instanceof Error ? Promise.reject(provided) : Promise.resolve(provided);
    },
  };
  return service;
}

/** A clock that moves 1.5 s on every read after the first. */
function steppingClock(): () => number {
  let t = -1500;
  return () => (t += 1500);
}

const THERE: Available = { detail: 'Elasticsearch 9.5.3 at http://127.0.0.1:9200', value: 'http://127.0.0.1:9200' };

describe('provision', () => {
  it('reuses a service that is there and never provides another', async () => {
    const service = fakeService(THERE, new Error('must not be called'));
    const outcome = await provision(service, {}, steppingClock());
    expect(outcome).toStrictEqual({ kind: 'found', name: 'elasticsearch', ms: 1500, available: THERE });
    expect(service.provides).toBe(0);
    expect(describeOutcome(outcome)).toBe('Elasticsearch: found Elasticsearch 9.5.3 at http://127.0.0.1:9200 (1.5 s)');
  });

  it('starts a missing service and says it will stop it', async () => {
    const stop = () => Promise.resolve();
    const outcome = await provision(fakeService(undefined, { ...THERE, how: 'started', stop }), {}, steppingClock());
    expect(outcome.kind).toBe('provided');
    expect(describeOutcome(outcome)).toBe('Elasticsearch: started Elasticsearch 9.5.3 at http://127.0.0.1:9200 (1.5 s), stopped after the run');
    expect(suiteEnvironment([outcome])).toStrictEqual({ ELASTICSEARCH_URL: 'http://127.0.0.1:9200' });
  });

  it('turns a failed start into a failure with its reason, never a throw', async () => {
    const outcome = await provision(fakeService(undefined, new Error('Maven could not resolve the zip')), {}, steppingClock());
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'Maven could not resolve the zip' });
    expect(describeOutcome(outcome)).toBe('Elasticsearch: FAILED (1.5 s): Maven could not resolve the zip');
    expect(suiteEnvironment([outcome])).toStrictEqual({});
  });

  it('skips an opted-out browser without looking for it', async () => {
    const service = { ...fakeService(THERE, new Error('must not be called')), name: 'chromium' as const };
    const outcome = await provision(service, { SKIP_BROWSER: '1' }, steppingClock());
    expect(outcome).toMatchObject({ kind: 'skipped', reason: 'SKIP_BROWSER=1' });
    expect(suiteEnvironment([outcome])).toStrictEqual({});
  });

  it('refuses an opt-out in CI', async () => {
    const service = { ...fakeService(THERE, new Error('unused')), name: 'chromium' as const };
    const outcome = await provision(service, { SKIP_BROWSER: '1', CI: 'true' });
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'SKIP_BROWSER=1 is not allowed in CI, which runs every suite' });
  });

  it('has no opt-out for Elasticsearch or Redis: their suites always run', async () => {
    const outcome = await provision(fakeService(THERE, new Error('unused')), { SKIP_ELASTICSEARCH: '1', SKIP_REDIS: '1' }, steppingClock());
    expect(outcome.kind).toBe('found');
  });
});

describe('the services find what a developer pointed them at, or say so', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A port on loopback where nothing listens. */
  async function closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }

  it('an ELASTICSEARCH_URL that does not answer fails rather than be replaced', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await expect(elasticsearchService({ ELASTICSEARCH_URL: url }).find()).rejects.toThrow(`ELASTICSEARCH_URL=${url} does not answer`);
  });

  it('no Elasticsearch on the default port is "absent", to be started', async () => {
    await expect(elasticsearchService({ ES_PORT: String(await closedPort()) }).find()).resolves.toBeUndefined();
  });

  it('something else answering on the port is not taken for Elasticsearch', async () => {
    server = createServer((_request, response) => response.end('<html>hello</html>'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await expect(elasticsearchService({ ES_PORT: String(port) }).find()).rejects.toThrow('is not an Elasticsearch node');
  });

  it('an Elasticsearch 8 node is refused, the client needs 9', async () => {
    server = createServer((_request, response) => response.end(JSON.stringify({ version: { number: '8.19.3' } })));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await expect(elasticsearchService({ ES_PORT: String(port) }).find()).rejects.toThrow('is Elasticsearch 8.19.3');
  });

  it('a REDIS_URL that does not answer fails; none on the default port is "absent"', async () => {
    const port = await closedPort();
    await expect(redisService({ REDIS_URL: `redis://127.0.0.1:${port}` }).find()).rejects.toThrow('does not answer');
    await expect(redisService({ REDIS_PORT: String(port) }).find()).resolves.toBeUndefined();
  });

  it('a CHROMIUM_PATH that does not exist fails, naming it', async () => {
    await expect(chromiumService({ CHROMIUM_PATH: '/nonexistent/chromium' }).find()).rejects.toThrow('CHROMIUM_PATH=/nonexistent/chromium does not exist');
  });

  it('no Chromium and no root: the run is told the command to install it', async () => {
    const service = chromiumService({}, { defaultPath: '/nonexistent/chromium', root: false });
    await expect(service.find()).resolves.toBeUndefined();
    const outcome = await provision(service, {});
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(describeOutcome(outcome)).toContain('run `sudo apt-get install -y chromium`');
  });
});
