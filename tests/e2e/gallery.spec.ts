import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { locales, rtl, type Locale } from './i18n.ts';
import { analyzeWcag, violationTargets } from './support.ts';

const RTL_TEXT = new Set(['ar', 'fa']);

/** Pieces and stories from supabase/seed.sql. */
const TWO_HOMES = '20000000-0000-4000-8000-000000000001';
const BRIDGE = '20000000-0000-4000-8000-000000000007';
const STORY = 'zuhause-ist-ein-verb';
const WORKSHOP = 'stichwerk-neustadt';

function gallery(locale: Locale): Record<string, string> {
	const file = join(import.meta.dirname, `../../src/lib/i18n/messages/gallery/${locale}.json`);
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** Every card title carries its own lang and a matching dir. */
async function expectTitlesTagged(page: Page): Promise<number> {
	const titles = page.locator('article h2[lang]');
	const count = await titles.count();
	for (let i = 0; i < count; i++) {
		const lang = (await titles.nth(i).getAttribute('lang')) ?? '';
		expect(lang).toMatch(/^[a-z]{2,3}/);
		await expect(titles.nth(i)).toHaveAttribute('dir', RTL_TEXT.has(lang) ? 'rtl' : 'ltr');
	}
	return count;
}

async function cardIds(page: Page): Promise<string[]> {
	const hrefs = await page
		.locator('article h2 a')
		.evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).pathname));
	return hrefs.map((href) => href.split('/').pop() ?? '');
}

for (const locale of locales) {
	test(`gallery in ${locale}: page language, direction and every caption tagged`, async ({
		page
	}) => {
		const messages = gallery(locale);
		await page.goto(`/${locale}/gallery`);
		await expect(page.locator('html')).toHaveAttribute('lang', locale);
		await expect(page.locator('html')).toHaveAttribute('dir', rtl.has(locale) ? 'rtl' : 'ltr');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(messages.gallery_title);
		expect(await expectTitlesTagged(page)).toBe(12);
		const captions = page.locator('article p.caption');
		for (const caption of await captions.all()) {
			const lang = (await caption.getAttribute('lang')) ?? '';
			await expect(caption).toHaveAttribute('dir', RTL_TEXT.has(lang) ? 'rtl' : 'ltr');
		}
		// Pieces without a text in this language show the original, marked as such.
		const marker = messages.gallery_original_marker.split('{language}')[0].trim();
		await expect(page.locator('article').filter({ hasText: marker }).first()).toBeVisible();
		const first = page.locator('article img').first();
		await expect(first).toHaveAttribute('fetchpriority', 'high');
		await expect(first).toHaveAttribute('srcset', /480w/);
		await expect(first).toHaveAttribute('width', /\d+/);
		await expect(page.locator('article img').nth(5)).toHaveAttribute('loading', 'lazy');
		await expect(page.locator('article picture source[type="image/avif"]').first()).toBeAttached();
	});
}

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	test('pagination is made of real links', async ({ page }) => {
		const messages = gallery('de');
		await page.goto('/de/gallery');
		const firstPage = await cardIds(page);
		expect(firstPage).toHaveLength(12);
		await page.getByRole('link', { name: messages.gallery_next_page }).click();
		await expect(page).toHaveURL(/[?&]before=/);
		const secondPage = await cardIds(page);
		expect(secondPage).toHaveLength(12);
		expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
		await expect(page.getByRole('link', { name: messages.gallery_next_page })).toHaveCount(0);
		await page.getByRole('link', { name: messages.gallery_first_page }).click();
		expect(await cardIds(page)).toEqual(firstPage);
	});

	test('the filter form produces a shareable URL', async ({ page }) => {
		const messages = gallery('de');
		await page.goto('/de/gallery');
		await page.getByLabel(messages.gallery_filter_workshop).selectOption(WORKSHOP);
		await page.getByRole('button', { name: messages.gallery_filter_apply }).click();
		await expect(page).toHaveURL(new RegExp(`workshop=${WORKSHOP}`));
		const filtered = await cardIds(page);
		expect(filtered.length).toBeGreaterThan(0);
		expect(filtered.length).toBeLessThan(12);
		// The same URL opened fresh shows the same view.
		const shared = page.url();
		await page.goto('/de/gallery');
		await page.goto(shared);
		expect(await cardIds(page)).toEqual(filtered);
		await expect(page.getByLabel(messages.gallery_filter_workshop)).toHaveValue(WORKSHOP);
	});
});

test('load more appends the next page in place', async ({ page }) => {
	const messages = gallery('en');
	await page.goto('/en/gallery');
	await expect(page.locator('article')).toHaveCount(12);
	const url = page.url();
	await page.getByRole('link', { name: messages.gallery_next_page }).click();
	await expect(page.locator('article')).toHaveCount(24);
	expect(page.url()).toBe(url);
	await expect(page.getByRole('status').filter({ hasText: '12' })).toBeAttached();
});

test('full-text search finds Cyrillic, Arabic, Persian and German words', async ({ page }) => {
	const messages = gallery('de');
	for (const [query, id] of [
		['домівки', TWO_HOMES],
		['zuhause', TWO_HOMES],
		['الجسر', BRIDGE]
	] as const) {
		await page.goto('/de/gallery');
		await page.getByLabel(messages.gallery_search_label).fill(query);
		await page.getByLabel(messages.gallery_search_label).press('Enter');
		await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(query)}`));
		await expect(
			page.locator(`article h2 a[href$="/pieces/${id}?q=${encodeURIComponent(query)}"]`)
		).toBeVisible();
	}
	await page.goto(`/de/gallery?q=${encodeURIComponent('نان')}`);
	expect(await cardIds(page)).toHaveLength(1);
});

test('piece page: texts in their languages, side by side, keyboard zoom', async ({ page }) => {
	const messages = gallery('en');
	await page.goto(`/en/pieces/${TWO_HOMES}`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two homes');
	await expect(page.getByRole('heading', { level: 1 }).locator('..')).toHaveAttribute('lang', 'en');
	await expect(page.getByText(messages.gallery_provenance_translated_by_volunteer)).toBeVisible();

	await page.getByRole('link', { name: 'Українська' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Дві домівки');
	await page.getByRole('link', { name: messages.gallery_side_by_side }).click();
	await expect(page).toHaveURL(/compare=1/);
	const columns = page.locator('.side-by-side > section');
	await expect(columns).toHaveCount(2);
	await expect(columns.nth(0).locator('[lang]').first()).toHaveAttribute('lang', 'uk');

	const stage = page.getByRole('application');
	const layer = stage.locator('> div');
	await stage.focus();
	await page.keyboard.press('+');
	await expect(page.locator('output')).toHaveText(/150/);
	await page.keyboard.press('+');
	await expect(page.locator('output')).toHaveText(/225/);
	const before = await layer.getAttribute('style');
	await page.keyboard.press('ArrowLeft');
	await expect(layer).not.toHaveAttribute('style', before ?? '');
	// Zoomed in, the picture asks for a wider derivative.
	const sizes = await stage.locator('img').getAttribute('sizes');
	expect(Number(sizes?.replace('px', ''))).toBeGreaterThan(600);
	await page.keyboard.press('0');
	await expect(page.locator('output')).toHaveText(/100/);
	await page.getByRole('button', { name: messages.gallery_zoom_in }).click();
	await expect(page.locator('output')).toHaveText(/150/);

	await expect(page.getByRole('img', { name: messages.gallery_qr_alt })).toBeVisible();
	await expect(page.locator('meta[property="og:image"]')).toHaveAttribute(
		'content',
		/\/pieces\/.+\/share\.jpg$/
	);
	await expect(page.locator('link[rel="canonical"]')).toHaveAttribute(
		'href',
		new RegExp(`/en/pieces/${TWO_HOMES}$`)
	);
	const jsonLd = await page.locator('script[type="application/ld+json"]').textContent();
	expect(JSON.parse(jsonLd ?? '{}')).toMatchObject({ '@type': 'VisualArtwork' });
});

test('piece page: share image, QR code and no CSP complaints about JSON-LD', async ({
	page,
	request
}) => {
	const problems: string[] = [];
	page.on('console', (message) => {
		if (/content security policy/i.test(message.text())) problems.push(message.text());
	});
	await page.goto(`/de/pieces/${TWO_HOMES}`);
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	expect(problems).toEqual([]);
	const image = await request.get(`/de/pieces/${TWO_HOMES}/share.jpg`);
	expect(image.status()).toBe(200);
	expect(image.headers()['content-type']).toBe('image/jpeg');
	expect((await image.body()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
	const qr = await request.get(`/de/pieces/${TWO_HOMES}/qr.svg`);
	expect(await qr.text()).toContain('<svg');
});

test('story page: a narrative of texts and pieces, with previous and next in the story', async ({
	page
}) => {
	await page.goto(`/ar/stories/${STORY}`);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('البيت فعلٌ');
	const pieces = page.getByRole('region');
	expect(await pieces.count()).toBeGreaterThanOrEqual(3);
	await page.locator(`a[href$="/pieces/${TWO_HOMES}?story=${STORY}"]`).click();
	const messages = gallery('ar');
	await expect(
		page.getByRole('link', { name: new RegExp(messages.gallery_next_piece) })
	).toBeVisible();
	await page.getByRole('link', { name: new RegExp(messages.gallery_next_piece) }).click();
	await expect(page).toHaveURL(new RegExp(`story=${STORY}`));
	await expect(
		page.getByRole('link', { name: new RegExp(messages.gallery_previous_piece) })
	).toHaveAttribute('href', new RegExp(TWO_HOMES));
});

for (const locale of ['de', 'ar'] as const) {
	for (const path of ['gallery', `pieces/${TWO_HOMES}`, `stories/${STORY}`, 'stories']) {
		test(`axe: /${locale}/${path} has no WCAG A/AA violations`, async ({ page }) => {
			await page.goto(`/${locale}/${path}`);
			const results = await analyzeWcag(page);
			expect(results.passes.length).toBeGreaterThan(10);
			expect(violationTargets(results)).toEqual([]);
		});
	}
}

test('public pages are cacheable and set no cookie; with a session they are private', async ({
	request
}) => {
	for (const path of [
		'/de/',
		'/fa/about',
		'/en/privacy',
		'/uk/imprint',
		'/de/gallery',
		'/ar/gallery?q=zuhause',
		`/de/pieces/${TWO_HOMES}`,
		`/de/stories/${STORY}`,
		'/sitemap.xml',
		'/feed.xml'
	]) {
		const response = await request.get(path);
		expect(response.status(), path).toBe(200);
		expect(response.headers()['cache-control'], path).toMatch(
			/^public, .*s-maxage=\d+.*stale-while-revalidate=\d+/
		);
		expect(response.headers()['etag'], path).toBeTruthy();
		expect(response.headers()['set-cookie'], path).toBeUndefined();
	}
	const signedIn = await request.get('/de/gallery', {
		headers: { cookie: 'sb-127-auth-token=base64-e30' }
	});
	expect(signedIn.headers()['cache-control']).toBe('private, no-store');
});

test('sitemap, feed and robots.txt', async ({ request }) => {
	const sitemap = await (await request.get('/sitemap.xml')).text();
	expect(sitemap).toContain(`/ar/pieces/${TWO_HOMES}</loc>`);
	expect(sitemap).toMatch(/hreflang="fa" href="[^"]+\/fa\/stories\/zuhause-ist-ein-verb"/);
	const feed = await (await request.get('/en/feed.xml')).text();
	expect(feed).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
	expect(feed.match(/<entry /g)?.length).toBe(24);
	const robots = await (await request.get('/robots.txt')).text();
	expect(robots).toMatch(/^Sitemap: http.+\/sitemap\.xml$/m);
});

test('the site header leads to the gallery and the stories in every language', async ({ page }) => {
	// Fifteen page loads.
	test.setTimeout(240_000);
	for (const locale of locales) {
		const messages = gallery(locale);
		await page.goto(`/${locale}/`);
		const nav = page.getByRole('banner').getByRole('navigation');
		await nav.getByRole('link', { name: messages.gallery_title, exact: true }).click();
		await expect(page).toHaveURL(new RegExp(`/${locale}/gallery$`));
		await expect(
			nav.getByRole('link', { name: messages.gallery_title, exact: true })
		).toHaveAttribute('aria-current', 'page');
		// A piece belongs to the gallery section; the link says so without claiming the page.
		await page.goto(`/${locale}/pieces/${TWO_HOMES}`);
		await expect(
			nav.getByRole('link', { name: messages.gallery_title, exact: true })
		).toHaveAttribute('aria-current', 'true');
		await nav.getByRole('link', { name: messages.gallery_stories_title, exact: true }).click();
		await expect(page).toHaveURL(new RegExp(`/${locale}/stories$`));
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			messages.gallery_stories_title
		);
	}
	// Keyboard: the links are reachable in order from the brand link.
	await page.goto('/ar/');
	await page.getByRole('link', { name: gallery('ar').gallery_title, exact: true }).focus();
	await page.keyboard.press('Tab');
	await expect(
		page.getByRole('link', { name: gallery('ar').gallery_stories_title, exact: true })
	).toBeFocused();
});

test('the caption-language filter offers the languages the pieces have, each in itself', async ({
	page
}) => {
	await page.goto('/en/gallery');
	const select = page.getByLabel(gallery('en').gallery_filter_language);
	const options = select.locator('option[value]:not([value=""])');
	const values = await options.evaluateAll((list) =>
		list.map((o) => [o.getAttribute('value'), o.getAttribute('lang'), o.getAttribute('dir')])
	);
	expect(values.map(([value]) => value).sort()).toEqual(['ar', 'de', 'en', 'fa', 'uk']);
	for (const [value, lang, dir] of values) {
		expect(lang).toBe(value);
		expect(dir).toBe(RTL_TEXT.has(value ?? '') ? 'rtl' : 'ltr');
	}
	await expect(select.locator('option[value="fa"]')).toHaveText('فارسی');
	await select.selectOption('fa');
	await page.getByRole('button', { name: gallery('en').gallery_filter_apply }).click();
	await expect(page).toHaveURL(/lang=fa/);
	const ids = await cardIds(page);
	expect(ids.length).toBeGreaterThan(0);
	expect(ids.length).toBeLessThan(12);
});
