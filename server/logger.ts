/**
 * The process logger (pino). Its level is `LOG_LEVEL` as `server/config.ts` validates it: read
 * at import (`logLevelFrom`: modules log from import on), then set again from the loaded
 * configuration at start-up (`server/index.ts`); children follow the root's level.
 *
 * One root for the custom server and Next's bundles of route handlers alike, shared under a
 * `Symbol.for` key as the services are: each bundle has its own copy of this module, and a
 * level set at start-up must hold for the route handlers' logs too.
 */
import { pino, type Logger } from 'pino';
import { logLevelFrom } from './config';

const KEY = Symbol.for('sitescan.logger');
type Holder = { [KEY]?: Logger };

/** Root logger; modules take a child with their own `module` field. */
export const logger: Logger = ((globalThis as Holder)[KEY] ??= pino({
  level: logLevelFrom(),
  base: { app: 'sitescan' },
}));
