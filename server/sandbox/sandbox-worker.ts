/**
 * Inside the sandbox's worker thread: runs the network with startSandboxServer() and answers the
 * host's calls.
 *
 *   host ── parentPort: close ──────────────────────────► close, then "closed"
 *   host ── port: stats | reset ─► answer on port, then wake the host (Atomics.notify on signal)
 *
 * The host blocks on `signal` (Atomics.wait) until the answer is posted, so stats() and reset()
 * stay synchronous as the Sandbox interface promises. The worker never waits on the host.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { startSandboxServer, type SandboxOptions } from './sandbox-server';

/** What the host hands the worker. */
export interface SandboxWorkerData {
  readonly options: SandboxOptions;
  /** One Int32: 0 while a call is pending, 1 once its answer is on `port`. */
  readonly signal: Int32Array;
  readonly port: MessagePort;
}

/** A synchronous call from the host. */
export type SandboxWorkerCall = { readonly type: 'stats' } | { readonly type: 'reset' };

/** The answer to a call. */
export type SandboxWorkerReply = { readonly value: unknown } | { readonly error: string };

const { options, signal, port } = workerData as SandboxWorkerData;
const sandbox = await startSandboxServer({ ...options, isolate: false });

port.on('message', (call: SandboxWorkerCall) => {
  let reply: SandboxWorkerReply;
  try {
    if (call.type === 'stats') reply = { value: sandbox.stats() };
    else {
      sandbox.reset();
      reply = { value: true };
    }
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

parentPort!.on('message', (message: { type: 'close' }) => {
  if (message.type !== 'close') return;
  sandbox.close().then(
    () => {
      port.close();
      parentPort!.postMessage({ type: 'closed' });
    },
    (error: unknown) => parentPort!.postMessage({ type: 'closed', error: error instanceof Error ? error.message : String(error) }),
  );
});

parentPort!.postMessage({ type: 'listening', url: sandbox.url });
