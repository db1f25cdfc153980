import { expect, test } from '@playwright/test';
import { locales, messages, pages, rtl } from './i18n.ts';

for (const locale of locales) {
	const text = messages(locale);
	for (const { path, title, ...rest } of pages) {
		const status = 'status' in rest ? rest.status : 200;
		test(`/${locale}/${path} renders in ${locale} with lang and dir`, async ({ page }) => {
			const response = await page.goto(`/${locale}/${path}`);
			expect(response?.status()).toBe(status);
			const html = page.locator('html');
			await expect(html).toHaveAttribute('lang', locale);
			await expect(html).toHaveAttribute('dir', rtl.has(locale) ? 'rtl' : 'ltr');
			await expect(page.getByRole('heading', { level: 1 })).toHaveText(text[title]);
			await expect(page.getByRole('navigation', { name: text.nav_label })).toBeVisible();
			const legal = page.getByRole('navigation', { name: text.footer_label });
			await expect(legal.getByRole('link', { name: text.footer_imprint })).toHaveAttribute(
				'href',
				`/${locale}/imprint`
			);
			await expect(legal.getByRole('link', { name: text.footer_privacy })).toHaveAttribute(
				'href',
				`/${locale}/privacy`
			);
		});
	}
}

test('Arabic and Persian pages mirror: the brand sits on the right, directional icons flip', async ({
	page
}) => {
	for (const locale of ['ar', 'fa', 'de'] as const) {
		await page.goto(`/${locale}/`);
		const viewport = page.viewportSize()!;
		const brand = await page
			.getByRole('link', { name: messages(locale).site_tagline })
			.boundingBox();
		const onRight = brand!.x > viewport.width / 2;
		expect(onRight, locale).toBe(rtl.has(locale));
		const arrow = page.locator('.flip-rtl').first();
		const transform = await arrow.evaluate((element) => getComputedStyle(element).transform);
		expect(transform !== 'none', locale).toBe(rtl.has(locale));
	}
});

test('an unprefixed address picks the language from Accept-Language', async ({ browser }) => {
	const context = await browser.newContext({ locale: 'fa-IR' });
	const page = await context.newPage();
	await page.goto('/about');
	await expect(page).toHaveURL(/\/fa\/about$/);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await context.close();
});

test('the language cookie wins over Accept-Language, the URL prefix over both', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({ locale: 'ar' });
	const page = await context.newPage();
	await page.goto('/uk/about');
	await expect(page.locator('html')).toHaveAttribute('lang', 'uk');
	// Visiting a page remembers its language for later unprefixed links (a QR code, say).
	await expect
		.poll(async () => (await context.cookies(baseURL)).find((c) => c.name === 'ct_locale')?.value)
		.toBe('uk');
	await page.goto('/imprint');
	await expect(page).toHaveURL(/\/uk\/imprint$/);
	await context.close();
});

test('without a prefix, cookie or Accept-Language match, the page is German', async ({
	browser
}) => {
	const context = await browser.newContext({ locale: 'ja-JP' });
	const page = await context.newPage();
	await page.goto('/');
	await expect(page).toHaveURL(/\/de\/$/);
	await expect(page.locator('html')).toHaveAttribute('lang', 'de');
	await context.close();
});

test('the language switcher names each language in itself and works by keyboard', async ({
	page
}) => {
	await page.goto('/de/about');
	const switcher = page.locator('header details');
	const summary = switcher.locator('summary');
	await summary.focus();
	await page.keyboard.press('Enter');
	const links = switcher.getByRole('link');
	await expect(links).toHaveText(['Deutsch', 'English', 'Українська', 'العربية', 'فارسی']);
	await expect(links.first()).toHaveAttribute('aria-current', 'true');
	// From the summary: Deutsch, English, Українська, العربية.
	for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
	await expect(page.locator(':focus')).toHaveText('العربية');
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/ar\/about$/);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(messages('ar').about_title);
});

test('Escape closes the language menu and returns focus to it', async ({ page }) => {
	await page.goto('/en/');
	const switcher = page.locator('header details');
	await switcher.locator('summary').focus();
	await page.keyboard.press('Enter');
	await expect(switcher).toHaveAttribute('open', '');
	await page.keyboard.press('Tab');
	await page.keyboard.press('Escape');
	await expect(switcher).not.toHaveAttribute('open', '');
	await expect(switcher.locator('summary')).toBeFocused();
});
