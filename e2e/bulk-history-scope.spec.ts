import { expect, test } from '@playwright/test';
import { expectAccessible, useSitescanServer } from './support';

// An instance open to the public: each browser's history holds only the searches it started.
const app = useSitescanServer({ HISTORY_SCOPE: 'owner' });

test('with HISTORY_SCOPE=owner a batch is in the history of the browser that started it only; its page still opens for anyone', async ({ page, browser }) => {
  await page.goto(`${app.server.url}/bulk`);
  await page.getByLabel('CSV file').setInputFiles({ name: 'ana.csv', mimeType: 'text/csv', buffer: Buffer.from('name\nAna Scope Bakery\nAna Scope Deli\n') });
  await page.getByRole('button', { name: 'Start bulk scan' }).click();
  await expect(page).toHaveURL(/\/bulk\/[A-Za-z0-9_-]{22}$/);
  const runUrl = page.url();

  await page.getByRole('link', { name: 'Searches in history' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your history');
  await expect(page.getByRole('list', { name: 'Searches of the bulk run' }).getByRole('link')).toHaveText(['Ana Scope Bakery', 'Ana Scope Deli']);
  const filtered = page.url();

  const bo = await browser.newContext();
  try {
    const boPage = await bo.newPage();
    await boPage.goto(filtered);
    const refusal = boPage.getByRole('alert').filter({ hasText: 'bulk run' });
    await expect(refusal).toContainText('This bulk run was not started from this browser, so its searches are not in your history; its page lists them.');
    await expect(boPage.getByRole('list', { name: 'Searches of the bulk run' })).toHaveCount(0);
    await expect(boPage.getByText('Ana Scope Bakery')).toHaveCount(0);
    await expectAccessible(boPage, 'history by a batch of another browser');
    // The run's page is a share link: it opens for Bo.
    await refusal.getByRole('link', { name: 'Open the bulk run' }).click();
    await expect(boPage).toHaveURL(runUrl);
    await expect(boPage.getByRole('table', { name: 'Searches of the bulk run' }).getByRole('link')).toHaveText(['Ana Scope Bakery', 'Ana Scope Deli']);
  } finally {
    await bo.close();
  }
});
