/**
 * Standalone sandbox network (`npm run sandbox`): starts it from the environment and prints its
 * URL. `SANDBOX_PORT` (default 4010), `SANDBOX_HOST` (127.0.0.1), `SANDBOX_SEED` (1),
 * `SANDBOX_SPEED` (1), `SANDBOX_PROFILE` (default | calm | stormy | load; default `default`).
 */
import { z } from 'zod';
import { describeZodError } from '../../lib/schemas';
import { startSandbox } from './index';
import { SANDBOX_PROFILES, type SandboxProfile } from './profiles';

const envSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_SEED: z.coerce.number().int().default(1),
  SANDBOX_SPEED: z.coerce.number().min(0).finite().default(1),
  SANDBOX_PROFILE: z
    .string()
    .default('default')
    .refine((value): value is SandboxProfile => (SANDBOX_PROFILES as readonly string[]).includes(value), {
      error: (issue) => `SANDBOX_PROFILE must be one of ${SANDBOX_PROFILES.join(', ')}, got ${JSON.stringify(issue.input)}`,
    }),
});

const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(`sandbox: invalid environment: ${describeZodError(parsed.error)}`);
  process.exit(1);
}
const env = parsed.data;
const profile = env.SANDBOX_PROFILE;

const sandbox = await startSandbox({
  port: env.SANDBOX_PORT,
  host: env.SANDBOX_HOST,
  seed: env.SANDBOX_SEED,
  speed: env.SANDBOX_SPEED,
  profile,
  // This process runs nothing else, so the network needs no thread of its own.
  isolate: false,
});
console.log(`sandbox network listening at ${sandbox.url} (seed ${env.SANDBOX_SEED}, speed ${env.SANDBOX_SPEED}, profile ${profile})`);
console.log(`site definitions: ${sandbox.url}/__sandbox/sites · APIs: ${sandbox.url}/__sandbox/apis · stats: ${sandbox.url}/__sandbox/stats`);
console.log(`ground truth: ${sandbox.url}/__sandbox/truth?site=<site id or API kind>&business=<b000001>`);

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
