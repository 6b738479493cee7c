/**
 * The process logger (pino). `LOG_LEVEL` sets the level (default `info`; tests run at `silent`
 * unless set).
 */
import { pino, type Logger } from 'pino';

const defaultLevel = process.env.VITEST ? 'silent' : 'info';

/** Root logger; modules take a child with their own `module` field. */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? defaultLevel,
  base: { app: 'sitescan' },
});
