/**
 * The sandbox network in its own worker thread, behind the same Sandbox interface.
 *
 *   host thread (sitescan: pipeline, store, hub)        worker thread (sandbox-worker.ts)
 *   ─────────────────────────────────────────────        ─────────────────────────────────
 *   fetch ─────────────── HTTP over loopback ──────────► startSandboxServer(): limiter, sites, APIs
 *   stats() / reset() ── port + Atomics.wait ──────────► answers on the port, Atomics.notify
 *   dataset, siteDefinitions(), apiLimits() …           (computed here too: pure, from the seed)
 *
 * Why a thread: the sandbox timestamps an arrival when its request handler runs. Sharing one
 * event loop with sitescan, that moment waits for whatever sitescan is doing (measured: requests
 * handled 180 ms after they were sent while the pipeline digested a burst of answers), and a
 * client that spaced its sends correctly looked over the exact window. In its own thread the
 * sandbox sees arrivals within a few ms of the send.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { logger } from '../logger';
import { createDataset } from './dataset';
import { describeSandbox, resolveSandboxOptions, sandboxDatasetSites, type Sandbox, type SandboxOptions, type SandboxStats } from './sandbox-server';
import type { SandboxWorkerCall, SandboxWorkerData, SandboxWorkerReply } from './sandbox-worker';

const log = logger.child({ module: 'sandbox' });

/** Longest a synchronous call waits for the worker. */
const CALL_TIMEOUT_MS = 30_000;

/** Starts the sandbox network in a worker thread and resolves once it is listening. */
export async function startIsolatedSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const resolved = resolveSandboxOptions(options);
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const data: SandboxWorkerData = { options: { ...options, isolate: false }, signal, port: port2 };
  const worker = new Worker(new URL('./sandbox-worker.mjs', import.meta.url), { workerData: data, transferList: [port2] });
  // Built here while the worker builds its own: the host's copy serves `dataset` (businesses at
  // once, listings on demand), the worker's the requests. Same seed, same bytes.
  const dataset = createDataset({ seed: resolved.seed, size: resolved.businesses, sites: sandboxDatasetSites() });

  const url = await new Promise<string>((resolve, reject) => {
    const onMessage = (message: { type: string; url?: string }) => {
      if (message.type !== 'listening') return;
      cleanup();
      resolve(message.url!);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`sandbox worker exited with code ${code} before listening`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
  worker.on('error', (error) => log.error({ err: error }, 'sandbox worker failed'));

  let closed: SandboxStats | undefined;
  const call = (request: SandboxWorkerCall): unknown => {
    Atomics.store(signal, 0, 0);
    port1.postMessage(request);
    if (Atomics.wait(signal, 0, 0, CALL_TIMEOUT_MS) === 'timed-out') {
      throw new Error(`sandbox worker did not answer ${request.type} within ${CALL_TIMEOUT_MS} ms`);
    }
    const reply = receiveMessageOnPort(port1)?.message as SandboxWorkerReply | undefined;
    if (!reply) throw new Error(`sandbox worker sent no answer to ${request.type}`);
    if ('error' in reply) throw new Error(`sandbox worker failed on ${request.type}: ${reply.error}`);
    return reply.value;
  };

  return {
    url,
    dataset,
    profile: resolved.profile,
    ...describeSandbox(url, resolved.profile),
    stats: () => closed ?? (call({ type: 'stats' }) as SandboxStats),
    reset: () => {
      if (!closed) call({ type: 'reset' });
    },
    close: async () => {
      if (closed) return;
      closed = call({ type: 'stats' }) as SandboxStats;
      const done = new Promise<void>((resolve) => {
        const onMessage = (message: { type: string; error?: string }) => {
          if (message.type !== 'closed') return;
          worker.off('message', onMessage);
          if (message.error) log.warn({ error: message.error }, 'sandbox worker closed with an error');
          resolve();
        };
        worker.on('message', onMessage);
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'close' });
      await done;
      port1.close();
      await worker.terminate();
    },
  };
}
