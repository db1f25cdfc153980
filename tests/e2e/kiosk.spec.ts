/**
 * Kiosk mode: a full-screen slideshow of a story's or workshop's pieces without the site's chrome;
 * keyboard control (space pauses, arrows move, mirrored in right-to-left), the caption language
 * rotates, and once its pictures are in memory it keeps cycling with the network gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { analyzeWcag, violationTargets } from './support.ts';

const STORY = 'zuhause-ist-ein-verb';
const WORKSHOP = 'verbindende-faeden-johannstadt';
const slow = { timeout: 150_000 };

test.describe.configure({ timeout: 300_000 });

function gallery(locale: string): Record<string, string> {
	const file = join(import.meta.dirname, `../../src/lib/i18n/messages/gallery/${locale}.json`);
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

const position = (locale: string, current: number, total: number) =>
	gallery(locale)
		.gallery_kiosk_position.replace('{current}', String(current))
		.replace('{total}', String(total));

/** Waits until every picture of the show is held as a blob. */
async function preloaded(page: Page): Promise<number> {
	const kiosk = page.locator('.kiosk');
	const total = Number(await kiosk.getAttribute('data-total'));
	expect(total).toBeGreaterThan(1);
	await expect(kiosk).toHaveAttribute('data-ready', String(total), slow);
	return total;
}

test('a story as a kiosk: no chrome, keyboard control, rotating caption language', async ({
	page
}) => {
	const messages = gallery('de');
	await page.goto(`/de/kiosk/story/${STORY}?interval=120`);
	const total = await preloaded(page);
	await expect(page.getByRole('banner')).toBeHidden();
	await expect(page.getByRole('contentinfo')).toBeHidden();
	const controls = page.getByRole('group', { name: messages.gallery_kiosk_controls });
	await expect(controls.getByText(position('de', 1, total))).toBeVisible();

	const languages = new Set<string>();
	for (let i = 2; i <= total; i++) {
		await page.keyboard.press('ArrowRight');
		await expect(controls.getByText(position('de', i, total))).toBeVisible();
		const words = page.locator('.slide .words');
		const lang = (await words.getAttribute('lang')) ?? '';
		await expect(words).toHaveAttribute('dir', ['ar', 'fa'].includes(lang) ? 'rtl' : 'ltr');
		languages.add(lang);
	}
	expect(languages.size).toBeGreaterThan(1);
	await page.keyboard.press('ArrowRight');
	await expect(controls.getByText(position('de', 1, total))).toBeVisible();
	await page.keyboard.press('ArrowLeft');
	await expect(controls.getByText(position('de', total, total))).toBeVisible();

	const pause = controls.getByRole('button', { name: messages.gallery_kiosk_pause });
	await expect(pause).toHaveAttribute('aria-pressed', 'false');
	await page.keyboard.press(' ');
	await expect(controls.getByRole('button', { name: messages.gallery_kiosk_play })).toHaveAttribute(
		'aria-pressed',
		'true'
	);
	await page.keyboard.press(' ');
	await expect(pause).toHaveAttribute('aria-pressed', 'false');
});

test('keeps advancing from memory after the network drops', async ({ page, context }) => {
	const messages = gallery('de');
	await page.goto(`/de/kiosk/workshop/${WORKSHOP}?interval=2`);
	const total = await preloaded(page);
	await context.setOffline(true);
	await expect(
		page.getByRole('status').filter({ hasText: messages.gallery_kiosk_offline })
	).toBeVisible();
	const image = page.locator('.slide img');
	const controls = page.getByRole('group', { name: messages.gallery_kiosk_controls });
	const shown = async () => (await controls.locator('.position').textContent())?.trim() ?? '';
	// On its own: the slide changes every two seconds, each picture from a blob.
	const seen = new Set<string>([await shown()]);
	await expect
		.poll(
			async () => {
				seen.add(await shown());
				return seen.size;
			},
			{ timeout: 30_000 }
		)
		.toBeGreaterThan(2);
	await expect(image).toHaveAttribute('src', /^blob:/);
	expect(
		await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)
	).toBe(true);
	// And by hand.
	await controls.getByRole('button', { name: messages.gallery_kiosk_pause }).click();
	const before = await shown();
	await controls.getByRole('button', { name: messages.gallery_kiosk_next }).click();
	await expect.poll(shown).not.toBe(before);
	await expect(image).toHaveAttribute('src', /^blob:/);
	expect(total).toBeGreaterThan(2);
	await context.setOffline(false);
});

test('right to left: the left arrow moves forward; without Wake Lock it still runs', async ({
	page
}) => {
	await page.addInitScript(() => {
		delete (Navigator.prototype as { wakeLock?: unknown }).wakeLock;
	});
	await page.goto(`/ar/kiosk/story/${STORY}?interval=120`);
	const total = await preloaded(page);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(page.locator('.kiosk')).toHaveAttribute('data-wake-lock', 'none');
	const controls = page.getByRole('group', { name: gallery('ar').gallery_kiosk_controls });
	await page.keyboard.press('ArrowLeft');
	await expect(controls.getByText(position('ar', 2, total))).toBeVisible();
	await page.keyboard.press('ArrowRight');
	await expect(controls.getByText(position('ar', 1, total))).toBeVisible();
});

test('reduced motion: no cross-fade and no drift', async ({ page }) => {
	await page.emulateMedia({ reducedMotion: 'reduce' });
	await page.goto(`/en/kiosk/story/${STORY}?interval=120`);
	await expect(page.locator('.slide')).toBeVisible(slow);
	expect(await page.locator('.slide').evaluate((el) => getComputedStyle(el).animationName)).toBe(
		'none'
	);
	expect(
		await page.locator('.slide img').evaluate((el) => getComputedStyle(el).animationName)
	).toBe('none');
});

for (const locale of ['de', 'ar'] as const) {
	test(`axe: /${locale}/kiosk has no WCAG A/AA violations`, async ({ page }) => {
		await page.emulateMedia({ reducedMotion: 'reduce' });
		await page.goto(`/${locale}/kiosk/story/${STORY}?interval=120`);
		await preloaded(page);
		const results = await analyzeWcag(page);
		expect(results.passes.length).toBeGreaterThan(5);
		expect(violationTargets(results)).toEqual([]);
	});
}
