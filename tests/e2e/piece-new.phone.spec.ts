/**
 * A participant on a phone: joins by code, adds three photos (one with GPS EXIF), writes in
 * Ukrainian with a German translation, consents and submits. The stored master and every
 * derivative carry no EXIF (checked with the service role). A reload in the middle of a throttled
 * upload resumes it. Axe on the new-piece pages in German and Arabic.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { admin as serviceClient, analyzeWcag, violationTargets } from './support.ts';

const piece = (locale: string) =>
	JSON.parse(readFileSync(`src/lib/i18n/messages/piece/${locale}.json`, 'utf8')) as Record<
		string,
		string
	>;
const participant = (locale: string) =>
	JSON.parse(readFileSync(`src/lib/i18n/messages/participant/${locale}.json`, 'utf8')) as Record<
		string,
		string
	>;

async function photo(color: string, gps = false): Promise<Buffer> {
	let image = sharp({ create: { width: 1200, height: 900, channels: 3, background: color } });
	if (gps) {
		image = image.withExif({
			IFD0: { Make: 'PhoneMaker', Model: 'Phone 12' },
			IFD3: {
				GPSLatitudeRef: 'N',
				GPSLatitude: '51/1 3/1 0/1',
				GPSLongitudeRef: 'E',
				GPSLongitude: '13/1 44/1 0/1'
			}
		});
	}
	return image.jpeg().toBuffer();
}

async function join(page: Page, locale: string) {
	// Wait for hydration: a radio checked before it can be reset when the page takes over.
	await page.goto(`/${locale}/join/FADEN-2026-DEMO`, { waitUntil: 'networkidle' });
	const p = participant(locale);
	await page.locator('input[name="name"]').fill('Оксана');
	await page.locator('input[name="age"][value="16_plus"]').check();
	await page.getByRole('button', { name: p.participant_join_submit }).click();
	await expect(page.getByRole('heading', { name: p.participant_join_done_title })).toBeVisible({
		timeout: 60_000
	});
}

async function startPiece(page: Page, locale: string, language: string) {
	const t = piece(locale);
	await page.goto(`/${locale}/pieces/new`);
	await page.getByLabel(t.piece_new_language_label).selectOption(language);
	await page.getByRole('button', { name: t.piece_new_start }).click();
	await expect(page).toHaveURL(/\/me\/pieces\/[0-9a-f-]{36}\/edit/);
	return page.url().match(/pieces\/([0-9a-f-]{36})/)![1];
}

test('a new piece from photos to "waiting for review", scrubbed of EXIF', async ({ page }) => {
	test.setTimeout(240_000);
	const t = piece('en');
	await join(page, 'en');
	const pieceId = await startPiece(page, 'en', 'uk');

	const files = [
		{ name: 'gps.jpg', mimeType: 'image/jpeg', buffer: await photo('#7a3b2e', true) },
		{ name: 'back.jpg', mimeType: 'image/jpeg', buffer: await photo('#2e5a7a') },
		{ name: 'detail.jpg', mimeType: 'image/jpeg', buffer: await photo('#5a7a2e') }
	];
	await page.locator('input[type="file"][multiple]').setInputFiles(files);
	await expect(page.getByText(t.piece_metadata_removed)).toBeVisible({ timeout: 120_000 });
	await expect(
		page.getByText(t.piece_photos_count.replace('{count}', '3').replace('{max}', '8'))
	).toBeVisible({ timeout: 120_000 });

	await page.getByLabel(t.piece_title_label).first().fill('Вишиванка');
	for (let i = 1; i <= 3; i++) {
		await page
			.getByLabel(t.piece_alt_label.replace('{number}', String(i)))
			.first()
			.fill(`Червона вишивка хрестиком ${i}`);
	}
	await page
		.getByRole('textbox', { name: t.story_editor_label })
		.first()
		.fill('Мама навчила мене вишивати.');
	await page.getByRole('button', { name: t.piece_save_text }).first().click();
	await expect(page.getByRole('button', { name: t.piece_save_text })).toHaveCount(1);

	await page.getByLabel(t.piece_translation_language).selectOption('de');
	await page.getByRole('button', { name: t.piece_translation_add }).click();
	const german = page.locator('form[action="?/text"]').nth(1);
	await german.getByLabel(t.piece_provenance_translated_by_volunteer).check();
	await german.getByLabel(t.piece_title_label).fill('Wyschywanka');
	for (let i = 1; i <= 3; i++) {
		await german
			.getByLabel(t.piece_alt_label.replace('{number}', String(i)))
			.fill(`Rote Kreuzstickerei ${i}`);
	}
	await german.getByRole('button', { name: t.piece_save_text }).click();

	await page.getByRole('radio', { name: t.piece_consent_people_no }).check();
	await page.getByRole('button', { name: t.piece_consent_save }).click();
	await expect(page.getByText(t.piece_consent_given)).toBeVisible();
	await page.getByRole('button', { name: t.piece_submit }).click();
	await expect(page.getByText(t.piece_submitted_body)).toBeVisible();

	const admin = serviceClient();
	const { data: rows } = await admin
		.from('piece_photos')
		.select('master_path, variants')
		.eq('piece_id', pieceId);
	expect(rows).toHaveLength(3);
	for (const row of rows!) {
		const paths = [
			row.master_path,
			...Object.values(row.variants as Record<string, Record<string, string>>).flatMap((v) =>
				Object.values(v)
			)
		];
		for (const path of paths) {
			const { data } = await admin.storage.from('masters').download(path);
			const meta = await sharp(Buffer.from(await data!.arrayBuffer())).metadata();
			expect(meta.exif, path).toBeUndefined();
		}
	}
	const { data: texts } = await admin
		.from('piece_texts')
		.select('language, provenance')
		.eq('piece_id', pieceId);
	expect(texts).toEqual(
		expect.arrayContaining([
			{ language: 'uk', provenance: 'original' },
			{ language: 'de', provenance: 'translated_by_volunteer' }
		])
	);
});

test('a reload in the middle of an upload resumes it', async ({ page }) => {
	test.setTimeout(240_000);
	const t = piece('de');
	await join(page, 'de');
	await startPiece(page, 'de', 'uk');
	// Big enough for two 6 MB chunks, throttled so the reload comes mid-upload.
	const noisy = await sharp({
		create: {
			width: 4000,
			height: 3000,
			channels: 3,
			background: { r: 128, g: 128, b: 128 },
			noise: { type: 'gaussian', mean: 128, sigma: 60 }
		}
	})
		.jpeg({ quality: 98 })
		.toBuffer();
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false,
		latency: 50,
		downloadThroughput: 4_000_000,
		uploadThroughput: 1_500_000
	});
	const patches: string[] = [];
	page.on('request', (r) => {
		if (r.method() === 'PATCH' && r.url().includes('/upload/resumable'))
			patches.push(r.headers()['upload-offset'] ?? '');
	});
	await page
		.locator('input[type="file"][multiple]')
		.setInputFiles({ name: 'big.jpg', mimeType: 'image/jpeg', buffer: noisy });
	await expect.poll(() => patches.length, { timeout: 60_000 }).toBeGreaterThan(0);
	await page.reload();
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false,
		latency: 0,
		downloadThroughput: -1,
		uploadThroughput: -1
	});
	await expect(
		page.getByText(t.piece_photos_count.replace('{count}', '1').replace('{max}', '8'))
	).toBeVisible({ timeout: 180_000 });
	// After the reload tus continued from a non-zero offset instead of starting over.
	expect(patches.some((offset) => Number(offset) > 0)).toBe(true);
});

for (const locale of ['de', 'ar'] as const) {
	test(`axe: the new-piece pages in ${locale}`, async ({ page }) => {
		test.setTimeout(120_000);
		await join(page, locale);
		await page.goto(`/${locale}/pieces/new`);
		const start = await analyzeWcag(page);
		expect(violationTargets(start)).toEqual([]);
		await startPiece(page, locale, locale === 'ar' ? 'ar' : 'de');
		const edit = await analyzeWcag(page);
		expect(violationTargets(edit)).toEqual([]);
	});
}
