/**
 * The server `npm run load:socket-flood -- --spawn` floods: sitescan without its pages (health and
 * Socket.IO are answered ahead of Next, so no `next build` is needed), its sandbox in-process,
 * and one finished search to subscribe to. Configured by the environment like `npm start`.
 *
 * Once the search has ended, writes `{url, searchId}` to the file SOCKET_FLOOD_INFO names and prints
 * `socket-flood server ready`.
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../../server/config';
import { startSitescan } from '../../server/index';

async function main(): Promise<void> {
  const app = await startSitescan({ config: loadConfig(), web: false });
  const { id } = await app.services.searches.create({ name: 'Flood Bakery', location: 'Springfield' });
  await app.services.searches.whenEnded(id);
  const infoFile = process.env.SOCKET_FLOOD_INFO;
  if (!infoFile) throw new TypeError('Expected SOCKET_FLOOD_INFO to name the file for the url and search id');
  await writeFile(infoFile, JSON.stringify({ url: app.url, searchId: id }));
  console.log('socket-flood server ready');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('socket-flood server: close failed', error);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error('socket-flood server failed to start', error);
  process.exit(1);
});
