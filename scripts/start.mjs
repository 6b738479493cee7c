// `npm start`: builds the web app if needed, then runs the custom server (server/index.ts) in
// production mode in this process, through tsx's loader.
import { register } from 'tsx/esm/api';
import { buildIfNeeded } from './build-if-needed.mjs';

process.env.NODE_ENV = 'production';
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
buildIfNeeded();
register();
const { main } = await import('../server/index.ts');
await main(process.argv.slice(2));
