/**
 * Offline capture on a phone, in Chromium with the real app and stack. Which sending path runs:
 * the page is closed while offline, so no tab is open when the network returns and Background
 * Sync has nobody to wake; the piece goes out on the next visit (the participant's own page
 * starts the outbox). The second test sends while online and breaks single answers on the way
 * (route interception stands in for a failing server; the requests themselves reach the real
 * stack first, so the work is done and only its answer is lost).
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { admin, analyzeWcag, joinDemo, unique, userIdByName, violationTargets } from './support.ts';

const messages = (group: string, locale: string) =>
	JSON.parse(readFileSync(`src/lib/i18n/messages/${group}/${locale}.json`, 'utf8')) as Record<
		string,
		string
	>;
const o = messages('offline', 'de');
const t = messages('piece', 'de');
const p = messages('participant', 'de');

async function photos() {
	const make = (background: string) =>
		sharp({ create: { width: 1200, height: 900, channels: 3, background } })
			.jpeg()
			.toBuffer();
	return [
		{ name: 'front.jpg', mimeType: 'image/jpeg', buffer: await make('#7a3b2e') },
		{ name: 'detail.jpg', mimeType: 'image/jpeg', buffer: await make('#2e5a7a') }
	];
}

async function participant(page: Page): Promise<string> {
	const name = `Offline ${unique()}`;
	await joinDemo(page, 'de', name, p.participant_join_submit);
	await expect(page.getByRole('heading', { name: p.participant_join_done_title })).toBeVisible({
		timeout: 60_000
	});
	return userIdByName(name);
}

/** Opens the new-piece page online and waits until its service worker has kept it. */
async function visitOnce(page: Page) {
	await page.goto('/de/pieces/new');
	await page.evaluate(() => navigator.serviceWorker.ready);
	await expect
		.poll(() => page.evaluate(async () => Boolean(await caches.match('/de/pieces/new'))))
		.toBe(true);
}

async function stored(userId: string) {
	const db = admin();
	const { data: pieces } = await db
		.from('pieces')
		.select('id, status, piece_texts(language, title), piece_photos(id)')
		.eq('maker_id', userId);
	return pieces ?? [];
}

async function keepPiece(page: Page, title: string) {
	await page.getByLabel(t.piece_title_label).fill(title);
	await page.locator('input[type="file"][multiple]').setInputFiles(await photos());
	await expect(
		page.getByRole('img', { name: t.piece_preview_alt.replace('{number}', '2') })
	).toBeVisible();
	await page.getByRole('button', { name: o.offline_keep }).click();
	await expect(page.getByText(o.offline_kept)).toBeVisible();
}

const entry = (page: Page, title: string) =>
	page.getByRole('region', { name: o.offline_outbox_heading }).getByRole('listitem').filter({
		hasText: title
	});

test('a piece kept offline arrives once, with both photos, after the tab was closed', async ({
	context,
	page
}) => {
	test.setTimeout(240_000);
	const userId = await participant(page);
	await visitOnce(page);
	// The public pages stay out of the worker's reach: not controlled, nothing answered by it.
	for (const path of ['/de/', '/de/gallery']) {
		const response = await page.goto(path);
		expect(response?.fromServiceWorker(), path).toBe(false);
		expect(await page.evaluate(() => navigator.serviceWorker.controller), path).toBeNull();
	}
	await page.goto('/de/pieces/new');
	expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);

	await context.setOffline(true);
	// The worker has no network either, so the page below can only come from its cache.
	const [worker] = context.serviceWorkers();
	expect(
		await worker.evaluate(() =>
			fetch('/healthz').then(
				() => 'online',
				() => 'offline'
			)
		)
	).toBe('offline');
	const reload = await page.reload();
	expect(reload?.fromServiceWorker()).toBe(true);
	await expect(page.getByText(o.offline_notice)).toBeVisible();
	const title = `Kreuzstich ${unique()}`;
	await keepPiece(page, title);
	await expect(entry(page, title)).toContainText(o.offline_status_waiting);
	expect(await stored(userId)).toEqual([]);
	await page.close();

	await context.setOffline(false);
	const again = await context.newPage();
	await again.goto('/de/me');
	await expect(entry(again, title)).toContainText(o.offline_status_arrived, { timeout: 120_000 });
	await expect(entry(again, title).getByRole('link', { name: o.offline_continue })).toBeVisible();

	const pieces = await stored(userId);
	expect(pieces).toHaveLength(1);
	expect(pieces[0].status).toBe('draft');
	expect(pieces[0].piece_texts).toEqual([{ language: 'de', title }]);
	expect(pieces[0].piece_photos).toHaveLength(2);
	// Nothing stays on the phone once it arrived.
	await again.reload();
	await expect(again.getByRole('region', { name: o.offline_outbox_heading })).toHaveCount(0);
});

/** Lets the first matching request reach the stack, then answers it with `status` instead. */
async function loseFirstAnswer(
	context: BrowserContext,
	url: string,
	method: string,
	status: number
) {
	const seen = { count: 0 };
	await context.route(url, async (route) => {
		if (route.request().method() !== method) return route.fallback();
		seen.count++;
		if (seen.count > 1) return route.fallback();
		await route.fetch();
		await route.fulfill({ status, json: { code: 'piece_upload_failed' } });
	});
	return seen;
}

test('a 5xx after the work was done and a broken upload: sent again, still one piece', async ({
	context,
	page
}) => {
	test.setTimeout(240_000);
	const userId = await participant(page);
	await visitOnce(page);
	const created = await loseFirstAnswer(context, '**/api/pieces/*', 'PUT', 503);
	const processed = await loseFirstAnswer(context, '**/api/uploads/*/process', 'POST', 500);
	const tus = { count: 0 };
	await context.route('**/storage/v1/upload/resumable**', async (route) => {
		if (route.request().method() !== 'POST' || tus.count++ > 0) return route.fallback();
		await route.abort('connectionreset');
	});

	await page.getByRole('button', { name: o.offline_use_phone }).click();
	const title = `Wiederholt ${unique()}`;
	await keepPiece(page, title);
	await expect(entry(page, title)).toContainText(o.offline_status_arrived, { timeout: 180_000 });

	expect(created.count).toBeGreaterThanOrEqual(2);
	expect(processed.count).toBeGreaterThanOrEqual(3);
	expect(tus.count).toBeGreaterThanOrEqual(3);
	const pieces = await stored(userId);
	expect(pieces).toHaveLength(1);
	expect(pieces[0].piece_texts).toEqual([{ language: 'de', title }]);
	expect(pieces[0].piece_photos).toHaveLength(2);
});

test('axe: the form for keeping a piece and the list of what is on the phone, in Arabic', async ({
	page
}) => {
	test.setTimeout(180_000);
	const ar = { o: messages('offline', 'ar'), t: messages('piece', 'ar') };
	await joinDemo(
		page,
		'ar',
		`Offline ${unique()}`,
		messages('participant', 'ar').participant_join_submit
	);
	await expect(
		page.getByRole('heading', { name: messages('participant', 'ar').participant_join_done_title })
	).toBeVisible({ timeout: 60_000 });
	await page.goto('/ar/pieces/new');
	await page.getByRole('button', { name: ar.o.offline_use_phone }).click();
	await page.getByLabel(ar.t.piece_title_label).fill('تطريز');
	await page.locator('input[type="file"][multiple]').setInputFiles(await photos());
	await page.getByRole('button', { name: ar.o.offline_keep }).click();
	await expect(
		page.getByRole('region', { name: ar.o.offline_outbox_heading }).getByRole('listitem')
	).toContainText(ar.o.offline_status_arrived, { timeout: 120_000 });
	expect(violationTargets(await analyzeWcag(page))).toEqual([]);
});
