import type { Page } from 'playwright-core';

/** Opens `path` of the console and signs in with `key` through the form; resolves once the navigation shows. */
export async function signIn(page: Page, opts: { url: string; key: string; path?: string }): Promise<void> {
  await page.goto(`${opts.url}${opts.path ?? '/'}`);
  await page.getByRole('textbox', { name: 'API key' }).fill(opts.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation').getByRole('link', { name: 'Playground' }).waitFor();
}
