import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { pages } from './i18n.ts';

const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

for (const colorScheme of ['light', 'dark'] as const) {
	for (const locale of ['de', 'ar'] as const) {
		for (const { path } of pages) {
			test(`axe: /${locale}/${path} (${colorScheme}) has no WCAG A/AA violations`, async ({
				page
			}) => {
				await page.emulateMedia({ colorScheme });
				await page.goto(`/${locale}/${path}`);
				const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
				expect(results.passes.length).toBeGreaterThan(10);
				expect(
					results.violations.map(({ id, nodes }) => ({ id, nodes: nodes.map((n) => n.target) }))
				).toEqual([]);
			});
		}
	}
}

test('axe: the open language menu has no violations', async ({ page }) => {
	await page.goto('/ar/');
	await page.locator('header summary').click();
	const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
	expect(results.violations.map(({ id }) => id)).toEqual([]);
});
