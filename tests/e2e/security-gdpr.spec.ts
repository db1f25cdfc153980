/**
 * GDPR through the UI (checklist F43, F44, F45; issue 8 "GDPR"): a participant joins in the
 * browser, owns a published piece (photo master, derivative, public copy) and an abandoned upload,
 * downloads "all my data" and then deletes the account from "My pieces". The export holds all of
 * it and nothing of anyone else; after deletion no row, object or derivative is left, the storage
 * prefixes list nothing and the public URL stops answering. Other people's pieces stay.
 * The data is put in place with the service role, as the image pipeline and moderators would.
 */
import { expect, test, type Page } from '@playwright/test';
import type { SupabaseClient } from '@supabase/supabase-js';
import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { admin, JOHANNSTADT, userIdByName } from './support.ts';
// A published seed piece by another maker, and that maker (supabase/seed.sql).
const OTHER_PIECE = '20000000-0000-4000-8000-000000000001';
const OTHER_MAKER = '00000000-0000-4000-8000-000000000011';
const t = JSON.parse(readFileSync('src/lib/i18n/messages/participant/en.json', 'utf8')) as Record<
	string,
	string
>;

test.describe.configure({ timeout: 240_000 });

/** Every object name under `prefix` in `bucket`, folders walked. */
async function listAll(db: SupabaseClient, bucket: string, prefix: string): Promise<string[]> {
	const { data, error } = await db.storage.from(bucket).list(prefix, { limit: 1000 });
	if (error) throw error;
	const names: string[] = [];
	for (const entry of data) {
		const path = `${prefix}/${entry.name}`;
		if (entry.id === null) names.push(...(await listAll(db, bucket, path)));
		else names.push(path);
	}
	return names;
}

async function joinInBrowser(page: Page, name: string): Promise<string> {
	await page.goto('/en/join/FADEN-2026-DEMO', { waitUntil: 'networkidle' });
	await page.locator('input[name="name"]').fill(name);
	await page.locator('input[name="age"][value="16_plus"]').check();
	await page.getByRole('button', { name: t.participant_join_submit }).click();
	await expect(page.getByRole('heading', { name: t.participant_join_done_title })).toBeVisible({
		timeout: 60_000
	});
	return userIdByName(name);
}

interface Owned {
	pieceId: string;
	photoId: string;
	objects: { bucket: string; path: string }[];
	publicUrl: string;
	title: string;
}

/** A published piece of `userId` with a master, a derivative and a public copy, plus an upload. */
async function publishedPiece(userId: string, title: string): Promise<Owned> {
	const db = admin();
	const pieceId = crypto.randomUUID();
	const photoId = crypto.randomUUID();
	const folder = `${userId}/${pieceId}/${photoId}`;
	const publicPath = `${crypto.randomUUID().replaceAll('-', '')}/${photoId}/w480.jpg`;
	const jpeg = await sharp({
		create: { width: 480, height: 360, channels: 3, background: '#7a3b2e' }
	})
		.jpeg()
		.toBuffer();
	const objects = [
		{ bucket: 'masters', path: `${folder}/master.jpg` },
		{ bucket: 'masters', path: `${folder}/w480.jpg` },
		{ bucket: 'public-media', path: publicPath },
		{ bucket: 'originals', path: `${userId}/${crypto.randomUUID()}` }
	];
	for (const { bucket, path } of objects) {
		const { error } = await db.storage
			.from(bucket)
			.upload(path, jpeg, { contentType: 'image/jpeg' });
		if (error) throw error;
	}
	const steps = [
		() =>
			db.from('pieces').insert({
				id: pieceId,
				workshop_id: JOHANNSTADT,
				maker_id: userId,
				original_language: 'uk'
			}),
		() => db.from('piece_texts').insert({ piece_id: pieceId, language: 'uk', title }),
		() =>
			db.from('piece_photos').insert({
				id: photoId,
				piece_id: pieceId,
				position: 0,
				role: 'front',
				master_path: `${folder}/master.jpg`,
				variants: { jpg: { '480': `${folder}/w480.jpg` } },
				public_variants: { jpg: { '480': publicPath } },
				width: 480,
				height: 360,
				alt_text: { uk: 'Червона вишивка' }
			}),
		() =>
			db.from('consents').insert({
				piece_id: pieceId,
				granted_by: userId,
				scopes: ['online_gallery'],
				people_visible: false,
				maker_age_bracket: '16_plus',
				consent_text_version: 'e2e',
				consent_language: 'en'
			}),
		() => db.from('pieces').update({ status: 'submitted' }).eq('id', pieceId),
		() => db.from('pieces').update({ status: 'published' }).eq('id', pieceId)
	];
	for (const step of steps) {
		const { error } = await step();
		if (error) throw error;
	}
	const publicUrl = db.storage.from('public-media').getPublicUrl(publicPath).data.publicUrl;
	return { pieceId, photoId, objects, publicUrl, title };
}

test('“Download all my data” holds the participant’s pieces, consents and photos, nothing of others', async ({
	page
}) => {
	const name = `Export ${Date.now().toString(36)}`;
	const userId = await joinInBrowser(page, name);
	const owned = await publishedPiece(userId, 'Соняшники для експорту');

	await page.goto('/en/me');
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('link', { name: t.participant_me_export }).click()
	]);
	const zip = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
	const names = Object.keys(zip).sort();
	expect(names).toEqual(
		expect.arrayContaining([
			'profile.json',
			'pieces.json',
			'consents.json',
			'photos.json',
			`photos/${owned.pieceId}/${owned.photoId}.jpg`
		])
	);
	const json = (file: string) => JSON.parse(strFromU8(zip[file]));
	expect(json('profile.json').profile).toMatchObject({ id: userId, display_name: name });
	expect(json('pieces.json')).toMatchObject([
		{ id: owned.pieceId, piece_texts: [{ language: 'uk', title: owned.title }] }
	]);
	expect(json('consents.json')).toMatchObject([{ piece_id: owned.pieceId }]);
	// The photo is the stored JPEG itself.
	const photo = zip[`photos/${owned.pieceId}/${owned.photoId}.jpg`];
	expect((await sharp(photo).metadata()).format).toBe('jpeg');
	// Nothing of anyone else: no other maker, piece or photo path in any file.
	const everything = names.map((file) => strFromU8(zip[file], true)).join('\n');
	for (const foreign of [OTHER_MAKER, OTHER_PIECE]) expect(everything).not.toContain(foreign);
	for (const file of names.filter((n) => n.startsWith('photos/'))) {
		expect(file.startsWith(`photos/${owned.pieceId}/`)).toBe(true);
	}
});

test('deleting the account from “My pieces” leaves no row, object, derivative or public URL', async ({
	page,
	request
}) => {
	const db = admin();
	const userId = await joinInBrowser(page, `Erase ${Date.now().toString(36)}`);
	const owned = await publishedPiece(userId, 'Вишиванка до видалення');
	expect((await request.get(owned.publicUrl)).status()).toBe(200);
	expect(await listAll(db, 'masters', userId)).toHaveLength(2);
	const publicPrefix = owned.objects[2].path.split('/')[0];

	// Once hydrated, the confirmation is a dialog (without JavaScript, a disclosure).
	await page.goto('/en/me', { waitUntil: 'networkidle' });
	await page.getByRole('button', { name: t.participant_me_delete_account }).click();
	const dialog = page.getByRole('dialog', { name: t.participant_me_delete_account_confirm_title });
	await dialog.getByRole('button', { name: t.participant_me_delete_account_submit }).click();
	await expect(page.getByText(t.participant_me_account_deleted)).toBeVisible({ timeout: 60_000 });

	for (const [table, column] of [
		['profiles', 'id'],
		['pieces', 'maker_id'],
		['consents', 'granted_by'],
		['workshop_members', 'user_id'],
		['return_tickets', 'user_id']
	]) {
		const { count, error } = await db
			.from(table)
			.select('*', { count: 'exact', head: true })
			.eq(column, userId);
		expect(error).toBeNull();
		expect(count, table).toBe(0);
	}
	for (const table of ['piece_photos', 'piece_texts', 'moderation_events']) {
		const { count } = await db
			.from(table)
			.select('*', { count: 'exact', head: true })
			.eq('piece_id', owned.pieceId);
		expect(count, table).toBe(0);
	}
	expect(await listAll(db, 'masters', userId)).toEqual([]);
	expect(await listAll(db, 'originals', userId)).toEqual([]);
	expect(await listAll(db, 'public-media', publicPrefix)).toEqual([]);
	for (const { bucket, path } of owned.objects) {
		const { data } = await db.storage.from(bucket).download(path);
		expect(data, `${bucket}/${path}`).toBeNull();
	}
	const gone = await request.get(owned.publicUrl);
	expect(gone.status()).toBeGreaterThanOrEqual(400);
	expect((await db.auth.admin.getUserById(userId)).data.user).toBeNull();
	// The piece page is gone too; other people's pieces are untouched.
	expect((await request.get(`/en/pieces/${owned.pieceId}`)).status()).toBe(404);
	expect((await request.get(`/en/pieces/${OTHER_PIECE}`)).status()).toBe(200);
	// Signed out: "My pieces" asks to sign in again.
	await page.goto('/en/me');
	await expect(page).toHaveURL(/\/signin/);
});
