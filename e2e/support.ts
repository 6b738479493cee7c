/**
 * What the browser journeys share: a sitescan server per spec file, a business the sandbox lists
 * widely, screenshots under test-results/screenshots/, the axe check, and API shortcuts for
 * setting a scene (the journeys themselves go through the pages, as a person would).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { SearchSnapshot } from '../lib/types';
import { createDataset } from '../server/sandbox/dataset';
import { SANDBOX_SITES } from '../server/sandbox/sandbox-sites';
import { startSitescanServer, type SitescanServer } from './sitescan-server';

/** Where the journeys save the screenshots a person looks at. */
export const SCREENSHOTS = 'test-results/screenshots';

/** Starts one sitescan server for the spec file (with `env`), stopped after its last test. */
export function useSitescanServer(env: Record<string, string> = {}): {
  readonly server: SitescanServer;
  readonly dataDir: string;
  /** Restarts on the same data and port; `changed` variables override the spec's for this start. */
  restart(changed?: Record<string, string>): Promise<void>;
} {
  const state = {} as { server: SitescanServer; dataDir: string };
  test.beforeAll(async () => {
    state.dataDir = await mkdtemp(path.join(tmpdir(), 'sitescan-e2e-'));
    state.server = await startSitescanServer({ dataDir: state.dataDir, env });
  });
  test.afterAll(async () => {
    await state.server?.stop();
    if (state.dataDir) await rm(state.dataDir, { recursive: true, force: true });
  });
  return {
    get server() {
      return state.server;
    },
    get dataDir() {
      return state.dataDir;
    },
    async restart(changed = {}) {
      await state.server.stop();
      state.server = await startSitescanServer({ dataDir: state.dataDir, port: state.server.port, env: { ...env, ...changed } });
    },
  };
}

/** A business of the sandbox's default world (seed 1) that most sites list. */
export const business = (() => {
  const dataset = createDataset({ seed: 1, size: 10_000, sites: SANDBOX_SITES });
  const count = (b: (typeof dataset.businesses)[number]) => SANDBOX_SITES.filter((site) => dataset.listingFor(site.id, b.id)).length;
  return dataset.businesses.slice(0, 200).reduce((best, candidate) => (count(candidate) > count(best) ? candidate : best));
})();

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true, animations: 'disabled' });
}

/** Fails when axe finds a serious or critical violation, listing each with the elements hit. */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const report = serious.map(
    (violation) => `${violation.id} (${violation.impact}): ${violation.help}\n${violation.nodes.map((node) => `  ${node.target.join(' ')} — ${node.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`,
  );
  expect(report, `axe on ${view}`).toEqual([]);
}

/** Starts a search through the API. */
export async function startSearch(request: APIRequestContext, baseUrl: string, body: Record<string, unknown>): Promise<{ id: string; url: string }> {
  const response = await request.post(`${baseUrl}/api/searches`, { data: body });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { id: string; url: string };
}

/** A search as the API answers it. */
export async function getSearch(request: APIRequestContext, baseUrl: string, id: string): Promise<SearchSnapshot> {
  return (await (await request.get(`${baseUrl}/api/searches/${id}`)).json()) as SearchSnapshot;
}

/** Waits until a search has ended and returns it. */
export async function searchEnded(request: APIRequestContext, baseUrl: string, id: string, timeout = 30_000): Promise<SearchSnapshot> {
  let snapshot: SearchSnapshot | undefined;
  await expect
    .poll(async () => (snapshot = await getSearch(request, baseUrl, id)).search.status, { timeout, intervals: [100, 250, 500] })
    .not.toBe('running');
  return snapshot!;
}

/** The site rows of the result page: site id → data-status. */
export async function rowStatuses(page: Page): Promise<Record<string, string>> {
  const rows = page.getByRole('table', { name: 'Sites searched' }).locator('tbody tr');
  const statuses: Record<string, string> = {};
  for (const row of await rows.all()) statuses[(await row.getAttribute('data-site'))!] = (await row.getAttribute('data-status'))!;
  return statuses;
}

/**
 * Every seq the event log holds, read by scrolling its window from top to bottom (the log renders
 * only the lines in view).
 */
export async function logSeqs(page: Page): Promise<number[]> {
  const scroller = page.getByRole('region', { name: 'Events, scrollable' });
  const seen: number[] = [];
  const height = await scroller.evaluate((element) => element.scrollHeight);
  for (let top = 0; top <= height; top += 200) {
    await scroller.evaluate((element, y) => {
      element.scrollTop = y;
      element.dispatchEvent(new Event('scroll'));
    }, top);
    // One animation frame for React to render the window at the new position.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const window = await page
      .getByRole('list', { name: 'Events' })
      .locator('li[data-seq]')
      .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
    expect(new Set(window).size, `a line shown twice in ${window.join(',')}`).toBe(window.length);
    seen.push(...window);
  }
  return [...new Set(seen)].sort((a, b) => a - b);
}
