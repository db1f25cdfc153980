import type { RequestEvent } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { cspDirectives } from './csp.ts';
import {
	allowOriginInCsp,
	createSecurityHeadersHandle,
	crossOriginResourcePolicy,
	HSTS,
	withFrameAncestors
} from './security-headers';

const kitCsp =
	"default-src 'self'; script-src 'self' 'nonce-abc'; img-src 'self' data:; connect-src 'self'";

async function run(
	response: Response,
	supabaseUrl?: string,
	url = 'http://localhost/de',
	locals: Partial<App.Locals> = {}
): Promise<Headers> {
	const handle = createSecurityHeadersHandle(() => supabaseUrl);
	const event = { url: new URL(url), locals } as RequestEvent;
	const result = await handle({ event, resolve: async () => response });
	return result.headers;
}

describe('security headers handle', () => {
	it('sets the baseline headers on every response', async () => {
		const headers = await run(new Response('ok'));
		expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
		expect(headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
		expect(headers.get('X-Frame-Options')).toBe('DENY');
		expect(headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
		const permissions = headers.get('Permissions-Policy') ?? '';
		expect(permissions).toContain('camera=(self)');
		expect(permissions).toContain('microphone=()');
		expect(permissions).toContain('geolocation=()');
	});

	it('adds the Supabase origin to img-src and connect-src only', async () => {
		const headers = await run(
			new Response('ok', { headers: { 'Content-Security-Policy': kitCsp } }),
			'http://127.0.0.1:54441/'
		);
		expect(headers.get('Content-Security-Policy')).toBe(
			"default-src 'self'; script-src 'self' 'nonce-abc'; img-src 'self' data: http://127.0.0.1:54441; connect-src 'self' http://127.0.0.1:54441"
		);
	});

	it('leaves the CSP alone when the Supabase URL is missing or invalid', () => {
		expect(allowOriginInCsp(kitCsp, undefined)).toBe(kitCsp);
	});

	it('sends HSTS only when the request reached the app over HTTPS', async () => {
		const secure = await run(new Response('ok'), undefined, 'https://faden.example/de');
		expect(secure.get('Strict-Transport-Security')).toBe(HSTS);
		expect(HSTS).toMatch(/^max-age=(\d+)/);
		expect(Number(/^max-age=(\d+)/.exec(HSTS)?.[1])).toBeGreaterThanOrEqual(31_536_000);
		const plain = await run(new Response('ok'), undefined, 'http://localhost:5173/de');
		expect(plain.get('Strict-Transport-Security')).toBeNull();
	});

	it('keeps pages and JSON same-origin, lets other sites embed share images and QR codes', async () => {
		expect((await run(new Response('ok'))).get('Cross-Origin-Resource-Policy')).toBe('same-origin');
		const id = '30000000-0000-4000-8000-000000000001';
		expect(crossOriginResourcePolicy(`/pieces/${id}/share.jpg`)).toBe('cross-origin');
		expect(crossOriginResourcePolicy(`/de/pieces/${id}/qr.svg`)).toBe('cross-origin');
		expect(crossOriginResourcePolicy('/gallery/more')).toBe('same-origin');
		expect(crossOriginResourcePolicy('/me/export')).toBe('same-origin');
		expect(crossOriginResourcePolicy('/share.jpg.html')).toBe('same-origin');
		const own = await run(
			new Response('ok', { headers: { 'Cross-Origin-Resource-Policy': 'same-site' } })
		);
		expect(own.get('Cross-Origin-Resource-Policy')).toBe('same-site');
	});

	it('copies responses whose headers are immutable', async () => {
		const immutable = Response.redirect('http://localhost/de', 307);
		const headers = await run(immutable);
		expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
		expect(headers.get('Location')).toBe('http://localhost/de');
	});
});

describe('embed pages', () => {
	const pageCsp = "default-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'self'";

	it('frame-ancestors names self and the listed origins, and X-Frame-Options is gone', async () => {
		const headers = await run(
			new Response('ok', { headers: { 'Content-Security-Policy': pageCsp } }),
			'http://127.0.0.1:54441/',
			'http://localhost/de/embed/story/a',
			{ frameAncestors: "'self' https://verein.example" }
		);
		expect(headers.get('X-Frame-Options')).toBeNull();
		const csp = headers.get('Content-Security-Policy') ?? '';
		expect(csp.split('; ').filter((d) => d.startsWith('frame-ancestors'))).toEqual([
			"frame-ancestors 'self' https://verein.example"
		]);
		expect(csp).toContain("img-src 'self' http://127.0.0.1:54441");
		expect(csp).toContain("base-uri 'self'");
		expect(headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin');
	});

	it('every other page keeps frame-ancestors none and DENY', async () => {
		const headers = await run(
			new Response('ok', { headers: { 'Content-Security-Policy': pageCsp } }),
			undefined,
			'http://localhost/de/pieces/x'
		);
		expect(headers.get('X-Frame-Options')).toBe('DENY');
		expect(headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
		expect(headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin');
	});

	it('replaces the directive or adds it when missing', () => {
		expect(withFrameAncestors("default-src 'self'", "'self'")).toBe(
			"default-src 'self'; frame-ancestors 'self'"
		);
		expect(withFrameAncestors("frame-ancestors 'none';", "'self' https://a.example")).toBe(
			"frame-ancestors 'self' https://a.example"
		);
		expect(crossOriginResourcePolicy('/oembed')).toBe('cross-origin');
		expect(crossOriginResourcePolicy('/ar/embed/piece/x')).toBe('cross-origin');
		expect(crossOriginResourcePolicy('/embedded')).toBe('same-origin');
	});
});

describe('kit.csp directives', () => {
	it('never allow inline or evaluated scripts', () => {
		const script = cspDirectives['script-src'];
		expect(script).not.toContain('unsafe-inline');
		expect(script).not.toContain('unsafe-eval');
		expect(cspDirectives['default-src']).toEqual(['self']);
	});

	it('forbid framing, plugins and foreign form targets', () => {
		expect(cspDirectives['frame-ancestors']).toEqual(['none']);
		expect(cspDirectives['object-src']).toEqual(['none']);
		expect(cspDirectives['base-uri']).toEqual(['self']);
		expect(cspDirectives['form-action']).toEqual(['self']);
	});
});
