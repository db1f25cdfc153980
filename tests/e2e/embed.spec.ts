/**
 * Issue 15 part 2: the organisation's website embeds pieces and stories. A tiny site on another
 * loopback origin frames a story: with its origin listed in the settings (by an admin, through the
 * settings page) Chromium shows the story; a site whose origin is not listed is refused by
 * frame-ancestors. The oEmbed answers as WordPress reads them (discovery link, JSON checked
 * against the spec), and a withdrawal turns embed and oEmbed into 410 at once.
 */
import { expect, test, type APIRequestContext, type Browser } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { oembedViolations } from '../helpers/oembed-spec.ts';
import {
	admin,
	ADMIN,
	analyzeWcag,
	check,
	joinDemo,
	MODERATOR,
	submitSignIn,
	submittedPiece,
	unique,
	userIdByName,
	violationTargets
} from './support.ts';

const t = JSON.parse(readFileSync('src/lib/i18n/messages/participant/en.json', 'utf8')) as Record<
	string,
	string
>;

const gallery = JSON.parse(readFileSync('src/lib/i18n/messages/gallery/uk.json', 'utf8')) as Record<
	string,
	string
>;

const STORY = 'zuhause-ist-ein-verb';
const UNPUBLISHED_STORY = 'stimmen-aus-prohlis';
const TWO_HOMES = '20000000-0000-4000-8000-000000000001';
/** The organisation's site (listed) and another site (not listed), on other loopback origins. */
const LISTED_PORT = Number(process.env.E2E_EMBED_PORT ?? 4620);
const UNLISTED_PORT = LISTED_PORT + 1;
const listedOrigin = `http://127.0.0.1:${LISTED_PORT}`;

test.describe.configure({ timeout: 180_000 });
const slow = { timeout: 30_000 };

/** A page like the organisation's WordPress page: a heading and the iframe oEmbed gave it. */
function hostSite(port: number, frameSrc: string): Promise<Server> {
	const server = createServer((_, res) => {
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(
			`<!doctype html><html lang="en"><head><title>Our association</title></head><body>` +
				`<h1>News from the workshop</h1>${frameSrc}</body></html>`
		);
	});
	return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function close(server: Server): Promise<void> {
	return new Promise((resolve) => server.close(() => resolve()));
}

async function oembed(request: APIRequestContext, query: Record<string, string>) {
	const response = await request.get(`/oembed?${new URLSearchParams(query)}`);
	return { response, body: (await response.json()) as Record<string, unknown> };
}

async function setOrigins(browser: Browser, text: string): Promise<void> {
	const page = await (await browser.newContext()).newPage();
	await page.goto('/de/signin');
	await submitSignIn(page, ...ADMIN);
	await page.goto('/de/staff/settings', { waitUntil: 'networkidle' });
	await page
		.getByRole('textbox', { name: 'Websites, die die Galerie einbetten dürfen' })
		.fill(text);
	await page.getByRole('button', { name: 'Websites speichern' }).click();
	await expect(
		page.getByRole('status').filter({ hasText: 'Die Liste der Websites ist gespeichert.' })
	).toBeVisible(slow);
	await page.context().close();
}

test.afterAll(async () => {
	await check(admin().from('site_settings').update({ embed_origins: [] }).eq('id', true));
});

test('the settings refuse an address with a path and explain it', async ({ browser }) => {
	const page = await (await browser.newContext()).newPage();
	await page.goto('/de/signin');
	await submitSignIn(page, ...ADMIN);
	await page.goto('/en/staff/settings', { waitUntil: 'networkidle' });
	const field = page.getByRole('textbox', { name: 'Websites allowed to embed the gallery' });
	await field.fill('https://www.example.org/blog');
	await page.getByRole('button', { name: 'Save websites' }).click();
	await expect(page.getByRole('alert')).toContainText('“https://www.example.org/blog”', slow);
	await expect(field).toHaveValue('https://www.example.org/blog');
	await expect(field).toHaveAttribute('aria-invalid', 'true');
});

test('a listed site frames the story; a site not listed is refused by frame-ancestors', async ({
	browser,
	request,
	baseURL
}) => {
	// The iframe exactly as oEmbed hands it to the organisation's CMS.
	const { body } = await oembed(request, { url: `${baseURL}/en/stories/${STORY}`, format: 'json' });
	const frame = String(body.html);
	expect(frame).toContain(`src="${baseURL}/en/embed/story/${STORY}"`);
	await setOrigins(browser, `${listedOrigin}\n`);

	const listed = await hostSite(LISTED_PORT, frame);
	const unlisted = await hostSite(UNLISTED_PORT, frame);
	try {
		const visitor = await (await browser.newContext()).newPage();
		await visitor.goto(`${listedOrigin}/`);
		const story = visitor.frameLocator('iframe');
		await expect(story.getByRole('heading', { level: 1, name: 'Home is a verb' })).toBeVisible(
			slow
		);
		await expect(story.getByRole('link', { name: /Read the whole story/ })).toBeVisible();

		const stranger = await (await browser.newContext()).newPage();
		const refused = stranger.waitForEvent('console', (message) =>
			message.text().includes('frame-ancestors')
		);
		await stranger.goto(`http://127.0.0.1:${UNLISTED_PORT}/`);
		const violation = (await refused).text();
		expect(violation).toContain(`frame-ancestors 'self' ${listedOrigin}`);
		const child = stranger.frames().find((f) => f !== stranger.mainFrame());
		expect(child).toBeDefined();
		expect(await child!.content()).not.toContain('Home is a verb');
		await expect(stranger.getByRole('heading', { name: 'News from the workshop' })).toBeVisible();
	} finally {
		await Promise.all([close(listed), close(unlisted)]);
	}
});

test('embed pages: no cookie, no script, only they may be framed, captions keep their language', async ({
	request,
	browser
}) => {
	const response = await request.get(`/ar/embed/piece/${TWO_HOMES}`);
	expect(response.status()).toBe(200);
	const headers = response.headers();
	expect(headers['set-cookie']).toBeUndefined();
	expect(headers['x-frame-options']).toBeUndefined();
	expect(headers['content-security-policy']).toMatch(/frame-ancestors 'self'(;|$| )/);
	const html = await response.text();
	expect(html).not.toMatch(/<script/i);
	expect(html).toContain('<html lang="ar" dir="rtl"');
	expect(html).not.toContain('<header');
	// The Ukrainian title and caption carry their own language and direction inside the Arabic page.
	expect(html).toMatch(/<h1[^>]*lang="uk"[^>]*dir="ltr"[^>]*>\s*Дві домівки/);
	expect(html).toMatch(/<p lang="uk" dir="ltr"[^>]*>Я вишила дві хати/);

	// The piece page itself stays unframeable.
	const own = await request.get(`/ar/pieces/${TWO_HOMES}`);
	expect(own.headers()['x-frame-options']).toBe('DENY');
	expect(own.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

	// ?lang= picks the language on an unprefixed embed address.
	const persian = await request.get(`/embed/story/${STORY}?lang=fa`);
	expect(persian.status()).toBe(200);
	expect(await persian.text()).toContain('<html lang="fa" dir="rtl"');
	expect(persian.headers()['set-cookie']).toBeUndefined();

	// A signed-in visitor (same site as the app) gets the public page, and no cookie either.
	const staff = await (await browser.newContext()).newPage();
	await staff.goto('/de/signin');
	await submitSignIn(staff, ...MODERATOR);
	const signedIn = await staff.request.get(`/de/embed/story/${STORY}`);
	expect(signedIn.status()).toBe(200);
	expect(signedIn.headers()['set-cookie']).toBeUndefined();
	await staff.context().close();
});

test('an embed page passes axe (WCAG 2.2 AA) in Arabic', async ({ page }) => {
	await page.goto(`/ar/embed/story/${STORY}`);
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	expect(violationTargets(await analyzeWcag(page))).toEqual([]);
	await page.goto(`/uk/embed/workshop/verbindende-faeden-johannstadt`);
	await expect(page.getByRole('heading', { level: 1, name: 'Нитки, що єднають' })).toBeVisible();
	expect(violationTargets(await analyzeWcag(page))).toEqual([]);
});

test('oEmbed: discovery as WordPress reads it, JSON per the spec, limits, and the error codes', async ({
	request,
	baseURL
}) => {
	// WordPress (WP_oEmbed::discover) reads <link> tags before </head> with this pattern.
	const pageHtml = await (await request.get(`/en/pieces/${TWO_HOMES}`)).text();
	const head = pageHtml.slice(0, pageHtml.indexOf('</head>'));
	const link = [...head.matchAll(/<link([^<>]+)\/?>/gi)]
		.map((m) => m[1])
		.find((attrs) => attrs.includes('type="application/json+oembed"'));
	expect(link).toBeDefined();
	const href = /href="([^"]+)"/.exec(link!)![1].replaceAll('&amp;', '&');
	expect(href).toBe(
		`${baseURL}/oembed?url=${encodeURIComponent(`${baseURL}/en/pieces/${TWO_HOMES}`)}&format=json`
	);
	// WordPress adds its own maxwidth/maxheight (the content width) to the discovered address.
	const discovered = new URL(href);
	discovered.searchParams.set('maxwidth', '300');
	discovered.searchParams.set('maxheight', '400');
	const answer = await request.get(discovered.href);
	expect(answer.status()).toBe(200);
	expect(answer.headers()['content-type']).toContain('application/json');
	const piece = await answer.json();
	expect(oembedViolations(piece, { maxwidth: 300, maxheight: 400 })).toEqual([]);
	expect(piece).toMatchObject({
		type: 'rich',
		version: '1.0',
		width: 300,
		height: 400,
		title: 'Two homes',
		author_name: 'Olena',
		cache_age: expect.any(Number)
	});
	expect(piece.html).toBe(
		`<iframe src="${baseURL}/en/embed/piece/${TWO_HOMES}" width="300" height="400" title="Two homes" frameborder="0"></iframe>`
	);

	// The story page announces itself too; an anonymous credit reads as the gallery shows it.
	const storyHtml = await (await request.get(`/de/stories/${STORY}`)).text();
	expect(storyHtml).toContain('type="application/json+oembed"');
	const story = await oembed(request, { url: `${baseURL}/de/stories/${STORY}` });
	expect(story.response.status()).toBe(200);
	expect(oembedViolations(story.body)).toEqual([]);
	expect(story.body.title).toBe('Zuhause ist ein Verb');

	// The errors the spec names, and 400 for what a consumer got wrong.
	const cases: [Record<string, string>, number, string][] = [
		[{ url: `${baseURL}/en/pieces/${TWO_HOMES}`, format: 'xml' }, 501, 'format_not_implemented'],
		[{ format: 'json' }, 400, 'url_missing'],
		[{ url: `${baseURL}/en/pieces/${TWO_HOMES}`, maxwidth: 'wide' }, 400, 'maxwidth_invalid'],
		[{ url: `${baseURL}/en/pieces/${TWO_HOMES}`, maxheight: '-1' }, 400, 'maxheight_invalid'],
		[{ url: `https://evil.example/en/pieces/${TWO_HOMES}` }, 404, 'url_not_embeddable'],
		[{ url: `${baseURL}/en/about` }, 404, 'url_not_embeddable'],
		[{ url: `${baseURL}/en/pieces/${crypto.randomUUID()}` }, 404, 'piece_not_found'],
		[{ url: `${baseURL}/en/stories/${UNPUBLISHED_STORY}` }, 404, 'story_not_found']
	];
	for (const [query, status, code] of cases) {
		const { response, body } = await oembed(request, query);
		expect(response.status(), JSON.stringify(query)).toBe(status);
		expect(body.error).toBe(code);
		expect(typeof body.message).toBe('string');
	}
});

test('a withdrawal answers 410 from the embed and the oEmbed at once, cached copies gone', async ({
	browser,
	request,
	baseURL
}) => {
	const title = `Вбудовано ${unique()}`;
	const name = `Embed ${unique()}`;
	const participant = await (await browser.newContext()).newPage();
	await joinDemo(participant, 'en', name, t.participant_join_submit);
	await expect(participant.locator('.code')).toBeVisible(slow);
	const pieceId = await submittedPiece(await userIdByName(name), title);

	const staff = await (await browser.newContext()).newPage();
	await staff.goto('/de/signin');
	await submitSignIn(staff, ...MODERATOR);
	await staff.goto(`/de/staff/pieces/${pieceId}`);
	await staff.getByRole('button', { name: 'Veröffentlichen' }).click();
	await expect(staff.getByRole('status').filter({ hasText: 'Veröffentlicht.' })).toBeVisible(slow);

	const embedPath = `/uk/embed/piece/${pieceId}`;
	const get = () => request.get(embedPath, { headers: { accept: 'text/html' } });
	expect((await get()).status()).toBe(200);
	const cached = await get();
	expect(cached.headers()['x-cache']).toBe('hit');
	expect(await cached.text()).toContain(title);
	const before = await oembed(request, { url: `${baseURL}/uk/pieces/${pieceId}` });
	expect(before.response.status()).toBe(200);
	// The piece's maker chose no name: the credit reads as the gallery shows it, in Ukrainian.
	expect(before.body.author_name).toBe(gallery.gallery_attribution_anonymous);

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

	const gone = await get();
	expect(gone.status()).toBe(410);
	const html = await gone.text();
	expect(html).not.toContain(title);
	expect(html).toContain('Більше не показується');
	// The organisation's frame shows the notice rather than a browser error.
	expect(gone.headers()['content-security-policy']).toMatch(/frame-ancestors 'self'/);
	const after = await oembed(request, { url: `${baseURL}/uk/pieces/${pieceId}` });
	expect(after.response.status()).toBe(410);
	expect(after.body.error).toBe('piece_gone');
});
