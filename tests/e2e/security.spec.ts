import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';

for (const path of ['/de/', '/ar/about', '/en/this-page-does-not-exist']) {
	test(`security headers on ${path}`, async ({ request }) => {
		const response = await request.get(path);
		const headers = response.headers();
		expect(headers['x-content-type-options']).toBe('nosniff');
		expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
		expect(headers['permissions-policy']).toContain('camera=(self)');
		expect(headers['permissions-policy']).toContain('microphone=()');
		const csp = headers['content-security-policy'] ?? '';
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toContain("object-src 'none'");
		const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
		expect(scriptSrc).not.toContain('nonce-');
		expect(scriptSrc).not.toContain('unsafe-inline');
		expect(scriptSrc).not.toContain('unsafe-eval');
	});
}

// Hashes, not nonces: public pages come from shared caches, where a nonce would repeat and be
// public. The CSP must allow exactly the inline scripts the page carries, and nothing else. The
// public reading pages have none at all (no client-side app, only the external enhance script).
for (const [path, hasInline] of [
	['/de/', false],
	['/ar/gallery', false],
	['/de/signin', true]
] as const) {
	test(`the CSP allows exactly the inline scripts of ${path}, by hash`, async ({ request }) => {
		const response = await request.get(path);
		const html = await response.text();
		const csp = response.headers()['content-security-policy'] ?? '';
		const allowed = [...csp.matchAll(/'sha256-([A-Za-z0-9+/=]+)'/g)].map((m) => m[1]).sort();
		const inline = [
			...html.matchAll(
				/<script(?![^>]*\bsrc=)(?![^>]*type="application\/(?:ld\+)?json")[^>]*>([\s\S]*?)<\/script>/g
			)
		]
			.map((m) => createHash('sha256').update(m[1]).digest('base64'))
			.sort();
		expect(inline.length > 0).toBe(hasInline);
		expect(allowed).toEqual(inline);
	});
}

test('an injected inline script is blocked by the CSP while the app itself runs', async ({
	page
}) => {
	const violations: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
			violations.push(message.text());
		}
	});
	await page.goto('/de/');
	// The app's own (hashed) scripts ran: hydration stored the language cookie.
	await expect.poll(() => page.evaluate(() => document.cookie)).toContain('ct_locale=de');
	const executed = await page.evaluate(async () => {
		const blocked = new Promise<string>((resolve) =>
			document.addEventListener(
				'securitypolicyviolation',
				(event) => resolve(event.violatedDirective),
				{
					once: true
				}
			)
		);
		const script = document.createElement('script');
		script.textContent = 'window.__injected = true';
		document.body.append(script);
		const directive = await blocked;
		return { directive, ran: (window as unknown as { __injected?: boolean }).__injected === true };
	});
	expect(executed.ran).toBe(false);
	expect(executed.directive).toMatch(/^script-src/);
	expect(violations.length).toBeGreaterThan(0);
});

test('an unprefixed page request redirects with Vary: Accept-Language', async ({ request }) => {
	const response = await request.get('/about', {
		headers: { 'Sec-Fetch-Dest': 'document', 'Accept-Language': 'uk-UA,uk;q=0.9' },
		maxRedirects: 0
	});
	expect(response.status()).toBe(307);
	expect(response.headers()['location']).toMatch(/\/uk\/about$/);
	expect(response.headers()['vary']).toContain('Accept-Language');
	expect(response.headers()['x-content-type-options']).toBe('nosniff');
});

test('public pages set no cookies and are not marked private', async ({ request }) => {
	const response = await request.get('/de/');
	expect(response.headers()['set-cookie']).toBeUndefined();
	expect(response.headers()['cache-control'] ?? '').not.toContain('private');
});

test('a request carrying a session cookie is never cacheable', async ({ request }) => {
	const response = await request.get('/de/', {
		headers: { Cookie: 'sb-127-auth-token=base64-not-a-session' }
	});
	expect(response.status()).toBe(200);
	expect(response.headers()['cache-control']).toBe('private, no-store');
});
