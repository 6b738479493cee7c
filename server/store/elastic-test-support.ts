/**
 * What the Elasticsearch tests share: a prefix of their own, its removal, and a proxy that cuts
 * the connection to Elasticsearch as a dead node would.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { elasticIndexNames } from './elastic-indices';

/** A prefix no other test or run uses. */
export function uniquePrefix(): string {
  return `sitescan-test-${randomBytes(5).toString('hex')}`;
}

/** Deletes the indices and templates of a prefix. */
export async function dropPrefix(admin: Client, prefix: string): Promise<void> {
  const names = Object.values(elasticIndexNames(prefix));
  await admin.indices.delete({ index: names, ignore_unavailable: true });
  await Promise.all(names.map((name) => admin.indices.deleteIndexTemplate({ name }, { ignore: [404] })));
}

export async function dropWith(esUrl: string, prefix: string): Promise<void> {
  const admin = new Client({ node: esUrl });
  try {
    await dropPrefix(admin, prefix);
  } finally {
    await admin.close();
  }
}

/**
 * A TCP proxy in front of Elasticsearch whose `cut()` destroys every connection and refuses new
 * ones (as a dead node would), and `restore()` lets them through again. Hand-written: twenty
 * lines of `net`, where a dependency would add nothing.
 */
export class CutProxy {
  private readonly sockets = new Set<Socket>();
  private open = true;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: URL): Promise<CutProxy> {
    let proxy: CutProxy | undefined;
    const server = createServer((client) => {
      if (!proxy?.open) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port || 80), target.hostname);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy?.sockets.delete(socket));
        // A reset while cutting is the point of this proxy, not a test failure.
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    proxy = new CutProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.open = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
