/**
 * What a process has used, read from /proc (Linux): the load script samples sitescan's server
 * with it, the cluster bench its nodes. Elsewhere, or once the process is gone, there is no
 * sample: undefined, never a thrown error, so that a figure is left blank rather than a run lost.
 */
import { readFile } from 'node:fs/promises';

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 10 ms). */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    // The process is gone (or this is not Linux): no sample, said so by the undefined.
    return undefined;
  }
}

/** Resident set size of a process in MB (one decimal), from /proc/<pid>/status. */
export async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : undefined;
  } catch {
    // As in cpuSeconds: a vanished process gives no sample.
    return undefined;
  }
}
