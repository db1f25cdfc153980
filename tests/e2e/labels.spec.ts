/**
 * Exhibition labels: staff only; a story's pieces in three chosen languages (each text with its
 * own lang and dir) with a QR code each; the print view keeps only the labels, one per A7 page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { analyzeWcag, MODERATOR, submitSignIn, violationTargets } from './support.ts';

const STORY = 'zuhause-ist-ein-verb';
const TWO_HOMES = '20000000-0000-4000-8000-000000000001';
const SHARED_TABLE = '20000000-0000-4000-8000-000000000010';
const slow = { timeout: 60_000 };

test.describe.configure({ timeout: 240_000 });
test.use({ actionTimeout: 30_000 });

function gallery(locale: string): Record<string, string> {
	const file = join(import.meta.dirname, `../../src/lib/i18n/messages/gallery/${locale}.json`);
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

async function signInModerator(page: Page): Promise<void> {
	await page.goto('/de/signin?next=/de/staff/labels');
	// Hydrated (the layout stores the language cookie), so the form is the app's, not plain HTML.
	await expect
		.poll(async () => (await page.context().cookies()).some((c) => c.value === 'de'), slow)
		.toBe(true);
	await submitSignIn(page, ...MODERATOR, slow.timeout);
}

test('anonymous visitors are sent to sign in', async ({ page }) => {
	await page.goto('/de/staff/labels');
	await expect(page).toHaveURL(/\/de\/signin\?next=/);
});

test('labels for a story in three languages, with QR codes, printed one per A7 page', async ({
	page
}) => {
	const messages = gallery('de');
	await signInModerator(page);
	await page.goto('/de/staff/labels');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(messages.gallery_labels_title);
	await page.getByLabel(messages.gallery_labels_source).selectOption(`story:${STORY}`);
	const languages = page.getByRole('group', { name: messages.gallery_labels_languages });
	await languages.getByRole('checkbox', { name: 'English' }).uncheck();
	await languages.getByRole('checkbox', { name: 'Українська' }).check();
	await languages.getByRole('checkbox', { name: 'العربية' }).check();
	await page.getByRole('radio', { name: messages.gallery_labels_size_a7 }).check();
	await page.getByRole('button', { name: messages.gallery_labels_apply }).click();
	await expect(page).toHaveURL(/size=a7/);

	const sheet = page.getByRole('region', { name: messages.gallery_labels_preview });
	const labels = sheet.getByRole('article');
	await expect(labels).toHaveCount(5, slow);
	await expect(sheet.getByRole('img', { name: /^QR-Code/ })).toHaveCount(5);
	await expect(sheet.locator('.qr svg').first()).toBeAttached();

	// Each text carries its own language and direction; a piece shows the chosen ones it has.
	const table = sheet.locator(`article[aria-labelledby="label-${SHARED_TABLE}"]`);
	await expect(table.locator('.text')).toHaveCount(3);
	await expect(table.locator('.text[lang="de"]')).toHaveAttribute('dir', 'ltr');
	await expect(table.locator('.text[lang="uk"]')).toHaveAttribute('dir', 'ltr');
	await expect(table.locator('.text[lang="ar"]')).toHaveAttribute('dir', 'rtl');
	await expect(table.locator('.text[lang="ar"] h2')).toHaveText('طاولة مشتركة');
	const homes = sheet.locator(`article[aria-labelledby="label-${TWO_HOMES}"]`);
	await expect(homes.locator('.text')).toHaveCount(2);

	// Fewer pieces: untick one and show again.
	await page
		.getByRole('group', { name: messages.gallery_labels_pieces })
		.getByRole('checkbox', { name: 'Zwei Zuhause' })
		.uncheck();
	await page.getByRole('button', { name: messages.gallery_labels_apply }).click();
	await expect(labels).toHaveCount(4, slow);
	await expect(homes).toHaveCount(0);

	await page.emulateMedia({ media: 'print' });
	await expect(page.locator('header.site-header')).toBeHidden();
	await expect(page.getByRole('heading', { level: 1 })).toBeHidden();
	await expect(page.locator('form.controls')).toBeHidden();
	await expect(labels.first()).toBeVisible();
	const box = (await labels.first().boundingBox())!;
	// A7 is 74 × 105 mm; CSS millimetres are 96/25.4 px.
	expect(Math.round(box.width)).toBe(Math.round((74 * 96) / 25.4));
	expect(Math.round(box.height)).toBe(Math.round((105 * 96) / 25.4));

	// Printed: one A7 page (209.76 × 297.64 pt) per label.
	const pdf = (await page.pdf({ preferCSSPageSize: true })).toString('latin1');
	expect(pdf.match(/\/Type\s*\/Page\b/g)).toHaveLength(4);
	const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)];
	expect(boxes.length).toBeGreaterThan(0);
	for (const [, width, height] of boxes) {
		expect(Math.abs(Number(width) - 209.76)).toBeLessThan(1);
		expect(Math.abs(Number(height) - 297.64)).toBeLessThan(1);
	}
});

for (const locale of ['de', 'ar'] as const) {
	test(`axe: /${locale}/staff/labels with labels has no WCAG A/AA violations`, async ({ page }) => {
		await signInModerator(page);
		await page.goto(
			`/${locale}/staff/labels?source=story:${STORY}&lang=de&lang=fa&lang=ar&size=a6`
		);
		await expect(page.getByRole('article').first()).toBeVisible(slow);
		const results = await analyzeWcag(page);
		expect(results.passes.length).toBeGreaterThan(10);
		expect(violationTargets(results)).toEqual([]);
	});
}
