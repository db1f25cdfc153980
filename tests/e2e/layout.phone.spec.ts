import { expect, test } from '@playwright/test';
import { messages, pages } from './i18n.ts';

for (const locale of ['de', 'ar'] as const) {
	for (const { path } of pages) {
		test(`/${locale}/${path} fits a phone and a 320 px wide window (200% zoom)`, async ({
			page
		}) => {
			for (const width of [390, 320]) {
				await page.setViewportSize({ width, height: 800 });
				await page.goto(`/${locale}/${path}`);
				const overflow = await page.evaluate(
					() => document.documentElement.scrollWidth - document.documentElement.clientWidth
				);
				expect(overflow, `${width}px`).toBeLessThanOrEqual(0);
			}
		});
	}

	test(`touch targets in header and footer are at least 44 px (${locale})`, async ({ page }) => {
		await page.goto(`/${locale}/`);
		const targets = page.locator('header a, header summary, header button, footer a');
		const count = await targets.count();
		expect(count).toBeGreaterThan(4);
		for (let i = 0; i < count; i++) {
			const target = targets.nth(i);
			if (!(await target.isVisible())) continue;
			const box = (await target.boundingBox())!;
			expect(box.height, await target.innerText()).toBeGreaterThanOrEqual(44);
			expect(box.width, await target.innerText()).toBeGreaterThanOrEqual(44);
		}
	});
}

test('the skip link is the first stop and moves focus to the content', async ({ page }) => {
	await page.goto('/de/');
	await page.keyboard.press('Tab');
	const skip = page.getByRole('link', { name: messages('de').nav_skip_to_content });
	await expect(skip).toBeFocused();
	await expect(skip).toBeVisible();
});
