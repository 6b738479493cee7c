/**
 * Starts the sandbox network: in its own worker thread by default (isolated-sandbox.ts), on the
 * caller's thread with `isolate: false` (sandbox-server.ts).
 */
import { startIsolatedSandbox } from './isolated-sandbox';
import { startSandboxServer, type Sandbox, type SandboxOptions } from './sandbox-server';

/** Starts the sandbox network and resolves once it is listening. See {@link SandboxOptions}. */
export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return options.isolate === false ? startSandboxServer(options) : startIsolatedSandbox(options);
}
