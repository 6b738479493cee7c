import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllChildren, startReadyChild, stopChild } from './child-process';

// A child that says it is ready, then idles until it is stopped.
const IDLER = ['-e', "console.log('child is ready'); setInterval(() => {}, 1000);"];

/** The process group of a process, from /proc (field 5 of stat, after the parenthesised name). */
async function processGroupOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

afterEach(() => killAllChildren());

describe('startReadyChild', () => {
  it('resolves once the child prints its ready text, in the caller\'s process group by default', async () => {
    const child = await startReadyChild({ name: 'idler', args: IDLER, env: {}, ready: 'child is ready', timeoutMs: 10_000 });
    expect(await processGroupOf(child.process.pid!)).toBe(await processGroupOf(process.pid));
    expect(await stopChild(child)).toBeNull();
    expect(child.process.signalCode).toBe('SIGTERM');
  });

  it('with `detached`, runs the child in a process group of its own, which a terminal\'s Ctrl-C to ours misses', async () => {
    const child = await startReadyChild({ name: 'idler', args: IDLER, env: {}, ready: 'child is ready', timeoutMs: 10_000, detached: true });
    expect(await processGroupOf(child.process.pid!)).toBe(child.process.pid);
    await stopChild(child);
    expect(child.process.signalCode).toBe('SIGTERM');
  });

  it('rejects with the exit code and what the child wrote when it exits before it is ready', async () => {
    const failing = startReadyChild({
      name: 'failing',
      args: ['-e', "console.error('no config'); process.exit(3);"],
      env: {},
      ready: 'child is ready',
      timeoutMs: 10_000,
    });
    await expect(failing).rejects.toThrow(/failing exited with 3 before it was ready\n.*no config/s);
  });
});
