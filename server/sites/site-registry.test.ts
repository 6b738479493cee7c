import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSitesFile, SiteRegistry } from './site-registry';

const valid = {
  id: 'example.test',
  name: 'Example',
  kind: 'html' as const,
  search: { url: 'https://example.test/search?q={name}&where={location}' },
  limits: { concurrency: 2, requests: 5, perMs: 1000 },
  extract: { item: '.result', name: '.name', address: '.addr', phone: '.tel', url: 'a@href' },
};

async function fileWith(content: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sitescan-sites-'));
  const file = path.join(dir, 'sites.json');
  await writeFile(file, content);
  return file;
}

describe('SITES_FILE', () => {
  it('loads valid definitions with defaults applied', async () => {
    const sites = await loadSitesFile(await fileWith(JSON.stringify([valid])));
    expect(sites).toHaveLength(1);
    expect(sites[0]).toMatchObject({ id: 'example.test', timeoutMs: 4000, retries: 2, sandbox: false });
  });

  it('names the site and the field that is wrong', async () => {
    const bad = { ...valid, limits: { concurrency: 0, requests: 5, perMs: 1000 } };
    await expect(loadSitesFile(await fileWith(JSON.stringify([valid, { ...bad, id: 'bad.test' }])))).rejects.toThrow(
      /site 1 \(bad\.test\): limits\.concurrency: .*>=1/,
    );
  });

  it('refuses a host chosen by a placeholder', async () => {
    const bad = { ...valid, search: { url: 'https://{name}.example.test/search' } };
    await expect(loadSitesFile(await fileWith(JSON.stringify([bad])))).rejects.toThrow(/search\.url: the host must be fixed/);
  });

  it('refuses unknown placeholders and non-http schemes', async () => {
    const unknown = { ...valid, search: { url: 'https://example.test/?q={query}' } };
    const scheme = { ...valid, search: { url: 'file:///etc/passwd?{name}' } };
    await expect(loadSitesFile(await fileWith(JSON.stringify([unknown])))).rejects.toThrow(/unknown placeholder \{query\}/);
    await expect(loadSitesFile(await fileWith(JSON.stringify([scheme])))).rejects.toThrow(/must be http or https/);
  });

  it('says when the file is not JSON, not an array, or missing', async () => {
    await expect(loadSitesFile(await fileWith('[{'))).rejects.toThrow(/is not valid JSON/);
    await expect(loadSitesFile(await fileWith('{}'))).rejects.toThrow(/is invalid: the file: .*array/);
    await expect(loadSitesFile('/nonexistent/sites.json')).rejects.toThrow(/cannot be read/);
  });

  it('refuses duplicate ids, within the file and against the built-in list', async () => {
    await expect(loadSitesFile(await fileWith(JSON.stringify([valid, valid])))).rejects.toThrow(/duplicate site id example\.test/);
    const [site] = await loadSitesFile(await fileWith(JSON.stringify([valid])));
    expect(() => SiteRegistry.fromDefinitions([valid], [site!])).toThrow(/example\.test is defined twice/);
  });
});
