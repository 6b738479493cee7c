import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SERVER_NODE_ARGS, SERVER_NODE_FLAGS } from './child-process';

describe('server node flags', () => {
  it('are the same for `npm start`, the pipeline benchmark and every spawned server', async () => {
    const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(SERVER_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const script of ['start', 'bench:pipeline']) {
      expect(scripts[script]!.split(' '), script).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
    }
    expect(SERVER_NODE_ARGS.slice(0, SERVER_NODE_FLAGS.length)).toEqual(SERVER_NODE_FLAGS);
  });
});
