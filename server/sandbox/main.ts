/**
 * Standalone sandbox network (`npm run sandbox`): starts it from the environment and prints
 * its URL. `SANDBOX_PORT` (default 4010), `SANDBOX_SEED` (1), `SANDBOX_SPEED` (1).
 */
import { z } from 'zod';
import { describeZodError } from '../../lib/schemas';
import { startSandbox } from './index';

const envSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_SEED: z.coerce.number().int().default(1),
  SANDBOX_SPEED: z.coerce.number().min(0).finite().default(1),
});

const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(`sandbox: invalid environment: ${describeZodError(parsed.error)}`);
  process.exit(1);
}
const env = parsed.data;

const sandbox = await startSandbox({
  port: env.SANDBOX_PORT,
  host: env.SANDBOX_HOST,
  seed: env.SANDBOX_SEED,
  speed: env.SANDBOX_SPEED,
});
console.log(`sandbox network listening at ${sandbox.url} (seed ${env.SANDBOX_SEED}, speed ${env.SANDBOX_SPEED})`);
console.log(`site definitions: ${sandbox.url}/__sandbox/sites · stats: ${sandbox.url}/__sandbox/stats`);

const stop = (signal: string) => {
  console.log(`sandbox: ${signal}, closing`);
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('sandbox: close failed', error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
