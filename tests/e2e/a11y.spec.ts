import { expect, test } from '@playwright/test';
import { pages } from './i18n.ts';
import { analyzeWcag, violationTargets } from './support.ts';

for (const colorScheme of ['light', 'dark'] as const) {
	for (const locale of ['de', 'ar'] as const) {
		for (const { path } of pages) {
			test(`axe: /${locale}/${path} (${colorScheme}) has no WCAG A/AA violations`, async ({
				page
			}) => {
				await page.emulateMedia({ colorScheme });
				await page.goto(`/${locale}/${path}`);
				const results = await analyzeWcag(page);
				expect(results.passes.length).toBeGreaterThan(10);
				expect(violationTargets(results)).toEqual([]);
			});
		}
	}
}

test('axe: the open language menu has no violations', async ({ page }) => {
	await page.goto('/ar/');
	await page.locator('header summary').click();
	const results = await analyzeWcag(page);
	expect(results.violations.map(({ id }) => id)).toEqual([]);
});
