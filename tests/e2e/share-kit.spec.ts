/**
 * Share kit (issue 15, part 3): a moderator publishes a piece whose maker agreed to social media
 * and downloads its kit (two JPEGs and caption.txt, no metadata); once the social-media consent is
 * withdrawn (the online one stays, so the piece stays published) the page offers no kit and the
 * kit's URL answers 403 with a German message. A published piece without that consent never
 * offers one.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Browser } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import sharp from 'sharp';
import { admin, check, MODERATOR, submitSignIn, submittedPiece, unique } from './support.ts';

test.describe.configure({ timeout: 180_000 });
test.use({ actionTimeout: 30_000 });
const slow = { timeout: 30_000 };
/** A maker from the seed (Karin, Johannstadt). */
const MAKER = '00000000-0000-4000-8000-000000000014';

async function moderator(browser: Browser) {
	const context = await browser.newContext({ acceptDownloads: true });
	const page = await context.newPage();
	await page.goto('/de/signin?next=/de/staff');
	await submitSignIn(page, ...MODERATOR);
	await page.goto('/de/staff');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Eingereichte Stücke', slow);
	return page;
}

/** A submitted piece by MAKER whose consent also covers social media when `social` is true. */
async function piece(title: string, social: boolean): Promise<string> {
	const id = await submittedPiece(MAKER, title);
	if (social) {
		await check(
			admin()
				.from('consents')
				.insert({
					piece_id: id,
					granted_by: MAKER,
					scopes: ['online_gallery', 'social_media'],
					people_visible: false,
					maker_age_bracket: '16_plus',
					consent_text_version: 'e2e',
					consent_language: 'uk'
				})
		);
	}
	return id;
}

test('a moderator downloads the kit of a consented piece; without that consent there is none', async ({
	browser
}) => {
	const title = `Рушник ${unique()}`;
	const id = await piece(title, true);
	const staff = await moderator(browser);

	await staff.goto(`/de/staff/pieces/${id}`);
	const section = staff.getByRole('region', { name: 'Share-Kit für soziale Medien' });
	await expect(section.getByText('nur für veröffentlichte Werke')).toBeVisible();
	await staff.getByRole('button', { name: 'Veröffentlichen' }).click();
	await expect(staff.getByRole('status').filter({ hasText: 'Veröffentlicht.' })).toBeVisible(slow);

	const [download] = await Promise.all([
		staff.waitForEvent('download'),
		section.getByRole('link', { name: 'Share-Kit herunterladen (ZIP)' }).click()
	]);
	const files = unzipSync(new Uint8Array(await readFile(await download.path())));
	expect(Object.keys(files).sort()).toEqual(['caption.txt', 'share-4x5.jpg', 'share-story.jpg']);
	for (const [name, size] of [
		['share-4x5.jpg', [1080, 1350]],
		['share-story.jpg', [1080, 1920]]
	] as const) {
		const meta = await sharp(Buffer.from(files[name])).metadata();
		expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', ...size]);
		expect(meta.exif).toBeUndefined();
	}
	const caption = strFromU8(files['caption.txt']);
	expect(caption).toContain(title);
	// The piece is Ukrainian, so are the credit and label words; its maker chose no name.
	expect(caption).toContain('Анонімно');
	expect(caption).toContain('Майстерня:');
	expect(caption).toMatch(new RegExp(`/uk/pieces/${id}`));

	// The maker keeps the gallery consent and withdraws the social-media one.
	await check(
		admin()
			.from('consents')
			.update({ withdrawn_at: new Date().toISOString() })
			.eq('piece_id', id)
			.contains('scopes', ['social_media'])
	);
	await staff.reload();
	await expect(section.getByText('nicht (mehr) zugestimmt')).toBeVisible();
	await expect(section.getByRole('link')).toHaveCount(0);
	const refused = await staff.request.get(`/de/staff/pieces/${id}/share-kit`);
	expect(refused.status()).toBe(403);
	expect(await refused.text()).toContain('nicht (mehr) zugestimmt');

	// Published without social-media consent from the start: no kit either.
	const other = await piece(`Серветка ${unique()}`, false);
	await staff.goto(`/de/staff/pieces/${other}`);
	await staff.getByRole('button', { name: 'Veröffentlichen' }).click();
	await expect(staff.getByRole('status').filter({ hasText: 'Veröffentlicht.' })).toBeVisible(slow);
	await expect(section.getByRole('link')).toHaveCount(0);
	expect((await staff.request.get(`/de/staff/pieces/${other}/share-kit`)).status()).toBe(403);
});
