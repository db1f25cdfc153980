/**
 * Issue 8 "Headers" (checklist E37) on every kind of response the app sends: pages, JSON
 * endpoints, feeds, error pages, a refused API call and the share image other sites embed.
 * tests/e2e/security.spec.ts keeps the CSP details and the blocked inline script.
 */
import { expect, test, type APIResponse } from '@playwright/test';

/** The part of SvelteKit's setup plugin this file reads: the options it validated. */
type KitSetup = {
	name?: string;
	api?: { options?: { csrf?: { trustedOrigins?: string[] } } };
} | null;

const TWO_HOMES = '20000000-0000-4000-8000-000000000001';

function expectBaseline(response: APIResponse, corp: 'same-origin' | 'cross-origin'): void {
	const headers = response.headers();
	expect(headers['x-content-type-options']).toBe('nosniff');
	expect(headers['x-frame-options']).toBe('DENY');
	expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
	expect(headers['cross-origin-opener-policy']).toBe('same-origin');
	expect(headers['cross-origin-resource-policy']).toBe(corp);
	// The e2e server speaks plain HTTP: HSTS there would be ignored, and is not sent
	// (security-proxy.spec.ts covers HTTPS).
	expect(headers['strict-transport-security']).toBeUndefined();
}

/** `inline`: the page runs the client-side app, whose inline start script is allowed by hash. */
function expectPageCsp(response: APIResponse, inline: boolean): void {
	const csp = response.headers()['content-security-policy'] ?? '';
	expect(csp).toContain("frame-ancestors 'none'");
	expect(csp).toContain("default-src 'self'");
	const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
	expect(scriptSrc).toContain("'self'");
	expect(/'sha256-[A-Za-z0-9+/=]+'/.test(scriptSrc)).toBe(inline);
	expect(scriptSrc).not.toContain('nonce-');
	expect(scriptSrc).not.toContain('unsafe-inline');
}

// The public reading pages have no client-side app, so no inline script and no hash at all.
for (const [path, inline] of [
	['/de/', false],
	['/ar/gallery', false],
	[`/fa/pieces/${TWO_HOMES}`, false],
	['/uk/signin', true]
] as const) {
	test(`page ${path}: CSP (script hashes only for inline scripts), frame-ancestors none, COOP, CORP same-origin`, async ({
		request
	}) => {
		const response = await request.get(path);
		expect(response.status()).toBe(200);
		expectBaseline(response, 'same-origin');
		expectPageCsp(response, inline);
	});
}

test('error pages carry the same headers (404 and a refused staff page)', async ({ request }) => {
	const missing = await request.get('/en/no-such-page');
	expect(missing.status()).toBe(404);
	expectBaseline(missing, 'same-origin');
	expectPageCsp(missing, true);
	const piece = await request.get('/de/pieces/00000000-0000-4000-8000-00000000ffff');
	expect(piece.status()).toBe(404);
	expectBaseline(piece, 'same-origin');
});

test('JSON and XML endpoints are same-origin resources', async ({ request }) => {
	const more = await request.get('/de/gallery/more?page=2');
	expect(more.status()).toBe(200);
	expect(more.headers()['content-type']).toContain('application/json');
	expectBaseline(more, 'same-origin');

	const feed = await request.get('/feed.xml');
	expect(feed.status()).toBe(200);
	expectBaseline(feed, 'same-origin');

	// A cross-site POST to the upload endpoint is refused, with the headers all the same.
	const refused = await request.post(`/api/uploads/${crypto.randomUUID()}/process`, {
		headers: { Origin: 'https://evil.example', 'content-type': 'application/json' },
		data: {}
	});
	expect(refused.status()).toBe(403);
	expectBaseline(refused, 'same-origin');
});

test('the share image is embeddable by other sites (CORP cross-origin)', async ({ request }) => {
	const image = await request.get(`/de/pieces/${TWO_HOMES}/share.jpg`);
	expect(image.status()).toBe(200);
	expect(image.headers()['content-type']).toBe('image/jpeg');
	expectBaseline(image, 'cross-origin');
});

test('a 429 page says in the visitor’s language to wait, with every header', async ({
	request
}) => {
	test.setTimeout(240_000);
	// The search bucket allows 40 at once and regains one every three seconds: bursts outrun it.
	let limited: APIResponse | undefined;
	for (let burst = 0; burst < 30 && !limited; burst++) {
		const responses = await Promise.all(
			Array.from({ length: 5 }, (_, i) =>
				request.get(`/ar/gallery?q=${encodeURIComponent(`خيط ${burst}-${i}`)}`)
			)
		);
		for (const response of responses) expect([200, 429]).toContain(response.status());
		limited = responses.find((response) => response.status() === 429);
	}
	expect(limited, 'no 429 within 150 searches').toBeDefined();
	const html = await limited!.text();
	expect(html).toContain('طلبات كثيرة جدًا');
	expectBaseline(limited!, 'same-origin');
});

// SvelteKit checks the origin only in the production build (not under `vite dev`).
test('cross-site form posts are refused whatever their content type (E35)', async ({
	request,
	baseURL
}) => {
	// The options SvelteKit's plugin validated from vite.config.ts, as the build uses them.
	const { default: viteConfig } = await import('../../vite.config.ts');
	const options: unknown[] = await Promise.all((viteConfig.plugins ?? []).flat());
	const plugins = options.flat(Infinity) as KitSetup[];
	const kit = plugins.find((plugin) => plugin?.name === 'vite-plugin-sveltekit-setup');
	expect(kit?.api?.options?.csrf, 'SvelteKit plugin options').toBeDefined();
	expect(kit?.api?.options?.csrf?.trustedOrigins ?? []).not.toContain('*');
	const bodies: [string, string | Buffer][] = [
		['application/x-www-form-urlencoded', 'code=ABCD-EFGH'],
		[
			'multipart/form-data; boundary=x',
			'--x\r\nContent-Disposition: form-data; name="code"\r\n\r\nABCD\r\n--x--\r\n'
		],
		['text/plain', 'code=ABCD-EFGH'],
		['TEXT/PLAIN; charset=utf-8', 'code=ABCD-EFGH']
	];
	for (const [type, body] of bodies) {
		const response = await request.post('/de/ticket', {
			headers: { Origin: 'https://evil.example', 'Content-Type': type },
			data: body
		});
		expect(response.status(), type).toBe(403);
	}
	// The same form from the site itself reaches the action (a wrong ticket: 400).
	const own = await request.post('/de/ticket', {
		headers: { Origin: new URL(baseURL!).origin, Accept: 'text/html' },
		form: { code: 'ABCD-EFGH-IJKL-MNOP' }
	});
	expect(own.status()).toBe(400);
});

test('JSON endpoints check the origin and the session themselves (E36)', async ({
	request,
	baseURL
}) => {
	const upload = `/api/uploads/${crypto.randomUUID()}/process`;
	const foreign = await request.post(upload, {
		headers: { Origin: 'https://evil.example' },
		data: { pieceId: crypto.randomUUID(), role: 'front' }
	});
	expect(foreign.status()).toBe(403);
	const signedOut = await request.post(upload, {
		headers: { Origin: new URL(baseURL!).origin },
		data: { pieceId: crypto.randomUUID(), role: 'front' }
	});
	expect(signedOut.status()).toBe(401);
	expect(await signedOut.json()).toEqual({ code: 'piece_signed_out' });
	// The data export is for its owner only: signed out, it sends you to sign in.
	const exported = await request.get('/de/me/export', { maxRedirects: 0 });
	expect(exported.status()).toBe(303);
	expect(exported.headers()['location']).toContain('/signin');
});

// scripts/start.ts (and the README's production settings) run adapter-node with BODY_SIZE_LIMIT=30M;
// photos go straight to Storage, so nothing legitimate sent to the app comes near it.
test('a body over the 30 MB limit is refused with 413 (C24)', async ({ request, baseURL }) => {
	const response = await request.post('/de/ticket', {
		headers: {
			Origin: new URL(baseURL!).origin,
			Accept: 'text/html',
			'Content-Type': 'application/x-www-form-urlencoded'
		},
		data: Buffer.alloc(31 * 1024 * 1024, 'a')
	});
	expect(response.status()).toBe(413);
});
