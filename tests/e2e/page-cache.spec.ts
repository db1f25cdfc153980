/**
 * The app's page cache (src/lib/server/hooks/page-cache.ts) as visitors meet it: anonymous public
 * pages come from the cache, compressed; a moderator's publish and a participant's withdrawal
 * through the app reach the very next anonymous request; a signed-in request never shares it.
 */
import { expect, test, type APIRequestContext, type Browser } from '@playwright/test';
import { readFileSync } from 'node:fs';
import {
	joinDemo,
	MODERATOR,
	submitSignIn,
	submittedPiece,
	unique,
	userIdByName
} from './support.ts';

const t = JSON.parse(readFileSync('src/lib/i18n/messages/participant/en.json', 'utf8')) as Record<
	string,
	string
>;

test.describe.configure({ timeout: 180_000 });
const slow = { timeout: 30_000 };

/** An anonymous page request as a browser sends it (HTML, compression accepted). */
async function visit(request: APIRequestContext, path: string) {
	const response = await request.get(path, {
		headers: { accept: 'text/html', 'accept-encoding': 'gzip, br' }
	});
	return { response, html: await response.text(), cache: response.headers()['x-cache'] };
}

async function signedInPage(browser: Browser, locale: string) {
	const page = await (await browser.newContext()).newPage();
	await page.goto(`/${locale}/signin`);
	return page;
}

test('anonymous pages are served from the cache, compressed, and never to a session', async ({
	browser,
	request
}) => {
	const first = await visit(request, '/ar/gallery');
	const again = await visit(request, '/ar/gallery');
	expect(first.response.status()).toBe(200);
	expect(again.cache).toBe('hit');
	expect(again.html).toBe(first.html);
	expect(again.response.headers()['content-encoding']).toBe('br');
	expect(again.response.headers()['vary']).toMatch(/Accept-Encoding/);
	expect(again.html).toContain('dir="rtl"');

	const staff = await signedInPage(browser, 'de');
	await submitSignIn(staff, ...MODERATOR);
	const signedIn = await staff.request.get('/ar/gallery', { headers: { accept: 'text/html' } });
	expect(signedIn.status()).toBe(200);
	expect(signedIn.headers()['x-cache']).toBeUndefined();
	expect(signedIn.headers()['cache-control']).toBe('private, no-store');
});

test('an unprefixed feed answers in each visitor’s language and says it varies', async ({
	request
}) => {
	const feed = async (language: string) => {
		const response = await request.get('/feed.xml', { headers: { 'accept-language': language } });
		expect(response.headers()['vary']).toMatch(/Accept-Language/);
		return response.text();
	};
	for (let i = 0; i < 2; i++) {
		expect(await feed('de')).toContain('xml:lang="de"');
		expect(await feed('ar')).toContain('xml:lang="ar"');
	}
});

test('a publish and a withdrawal through the app reach the next anonymous visitor', async ({
	browser,
	request
}) => {
	const title = `Кеш ${unique()}`;
	const name = `Cache ${unique()}`;
	const participant = await (await browser.newContext()).newPage();
	await joinDemo(participant, 'en', name, t.participant_join_submit);
	await expect(participant.locator('.code')).toBeVisible(slow);
	const pieceId = await submittedPiece(await userIdByName(name), title);

	// The gallery is cached without the piece…
	await visit(request, '/en/gallery');
	const before = await visit(request, '/en/gallery');
	expect(before.cache).toBe('hit');
	expect(before.html).not.toContain(title);

	// …a moderator publishes it through the app…
	const staff = await signedInPage(browser, 'de');
	await submitSignIn(staff, ...MODERATOR);
	await staff.goto(`/de/staff/pieces/${pieceId}`);
	await staff.getByRole('button', { name: 'Veröffentlichen' }).click();
	await expect(staff.getByRole('status').filter({ hasText: 'Veröffentlicht.' })).toBeVisible(slow);

	// …and the next visitor sees it, from a fresh render that is then shared.
	const published = await visit(request, '/en/gallery');
	expect(published.cache).toBe('miss');
	expect(published.html).toContain(title);
	await visit(request, `/en/pieces/${pieceId}`);
	const piece = await visit(request, `/en/pieces/${pieceId}`);
	expect(piece.cache).toBe('hit');
	expect(piece.html).toContain(title);

	// The participant withdraws it: gone from the very next request.
	await participant.goto('/en/me', { waitUntil: 'networkidle' });
	const card = participant.getByRole('article', { name: title });
	await card.getByRole('button', { name: t.participant_me_withdraw }).click();
	await participant
		.getByRole('dialog')
		.getByRole('button', { name: t.participant_me_withdraw })
		.click();
	await expect(
		participant.getByRole('status').filter({ hasText: t.participant_me_withdrawn }).first()
	).toBeVisible(slow);
	const gone = await visit(request, `/en/pieces/${pieceId}`);
	expect(gone.response.status()).toBe(404);
	expect(gone.html).not.toContain(title);
	expect((await visit(request, '/en/gallery')).html).not.toContain(title);
});
