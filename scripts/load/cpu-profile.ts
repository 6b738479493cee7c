/**
 * Where the profiled server spent its time (`--cpu-prof`): V8's .cpuprofile summed by area (a
 * package, a sitescan file, Node's internals), self and inclusive, and the top functions.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/child-process';
import { increment } from './samples';

interface CpuProfile {
  readonly nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** The area a frame belongs to: a package, a sitescan file, Node's internals, or a native function. */
function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  const project = url.replace(/^file:\/\//, '').replace(ROOT, '');
  return project.startsWith('/') ? project : `sitescan/${project}`;
}

/** Where a profiled process spent its time: self and inclusive shares by package, top functions. */
function summarizeProfile(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self: Record<string, number> = {};
  const inclusive: Record<string, number> = {};
  const functions: Record<string, number> = {};
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    total += dt;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const { url, functionName, lineNumber } = node.callFrame;
    increment(self, area(url, functionName), dt);
    increment(functions, `${functionName || '(anonymous)'} ${area(url, functionName)}:${lineNumber + 1}`, dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!frame.url) continue;
      const name = area(frame.url, frame.functionName);
      if (!seen.has(name)) {
        seen.add(name);
        increment(inclusive, name, dt);
      }
    }
  }
  const busy = total - idle;
  const top = (counts: Record<string, number>, n: number) =>
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), shareOfBusy: Math.round((us / busy) * 1000) / 1000 }));
  return {
    wallMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    selfByArea: top(self, 15),
    inclusiveByArea: top(inclusive, 15),
    topFunctions: top(functions, 20),
  };
}

/** A server's CPU profile, summarised, and the file it is kept in for DevTools. */
export type ProfileSummary = ReturnType<typeof summarizeProfile> & { file?: string };

/**
 * Summarises the busiest profile the server wrote into `profileDir` and keeps it in the temp dir;
 * undefined (said on the console) when there is none.
 */
export async function keepBusiestProfile(profileDir: string): Promise<ProfileSummary | undefined> {
  // tsx's loader runs in a worker thread with its own profile: keep the busiest one, the main thread.
  const files = (await readdir(profileDir).catch(() => [])).filter((file) => file.endsWith('.cpuprofile'));
  let busiest: { text: string; summary: ReturnType<typeof summarizeProfile> } | undefined;
  for (const file of files) {
    const text = await readFile(path.join(profileDir, file), 'utf8');
    const summary = summarizeProfile(JSON.parse(text) as CpuProfile);
    if (!busiest || summary.busyMs > busiest.summary.busyMs) busiest = { text, summary };
  }
  if (!busiest) {
    console.log('load: no CPU profile was written (did the server exit cleanly?)');
    return undefined;
  }
  // Megabytes: kept beside the temp files for DevTools, not in bench/results.
  const kept = path.join(tmpdir(), 'sitescan-load-server.cpuprofile');
  await writeFile(kept, busiest.text);
  return { ...busiest.summary, file: kept };
}
