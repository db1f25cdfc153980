// @vitest-environment jsdom
/**
 * The public pages' enhancement script in jsdom ("load more" against a real HTTP server); the
 * zoom, on the markup ZoomViewer.svelte renders, is in zoom.test.ts. Chromium runs all of it
 * against the app in the e2e suite.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { enhanceCopyButtons } from './copy';
import { enhanceLanguage } from './language';
import { enhanceLoadMore } from './load-more';

beforeEach(() => {
	document.documentElement.lang = 'de';
	document.head.innerHTML = '';
	document.body.innerHTML = '';
});

function key(target: Element, name: string): KeyboardEvent {
	const event = new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true });
	target.dispatchEvent(event);
	return event;
}

describe('language', () => {
	it('remembers the page language in the locale cookie', () => {
		document.documentElement.lang = 'uk';
		document.head.innerHTML = '<script data-locale-cookie="ct_test_locale;600"></script>';
		enhanceLanguage(document);
		expect(document.cookie).toContain('ct_test_locale=uk');
	});

	it('closes an open language menu on Escape and returns focus to it', () => {
		document.body.innerHTML =
			'<details data-menu open><summary>Sprache</summary><a href="/en/">English</a></details>';
		enhanceLanguage(document);
		document.querySelector('a')!.focus();
		key(document.querySelector('a')!, 'Escape');
		expect(document.querySelector('details')!.open).toBe(false);
		expect(document.activeElement).toBe(document.querySelector('summary'));
	});
});

describe('copy', () => {
	it('shows the button, copies the address and says so', async () => {
		document.body.innerHTML =
			'<button hidden data-copy="https://example.org/de/pieces/1" data-copy-status="s" data-copied="Link kopiert">Kopieren</button><p id="s" role="status"></p>';
		const writeText = vi.fn(() => Promise.resolve());
		Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
		enhanceCopyButtons(document);
		const button = document.querySelector('button')!;
		expect(button.hidden).toBe(false);
		button.click();
		await vi.waitFor(() => expect(document.getElementById('s')!.textContent).toBe('Link kopiert'));
		expect(writeText).toHaveBeenCalledWith('https://example.org/de/pieces/1');
	});
});

describe('load more', () => {
	let server: Server;
	let origin: string;
	const page = (cards: string[], next: string | null) =>
		`<!doctype html><div data-gallery-grid>${cards.map((c) => `<article>${c}</article>`).join('')}</div>` +
		(next ? `<a href="${next}" data-load-more>Weitere</a>` : '');

	beforeAll(async () => {
		server = createServer((request, response) => {
			const url = new URL(request.url ?? '/', 'http://x');
			if (url.searchParams.get('page') === '2') {
				response.end(page(['c', 'd'], '/de/gallery?page=3'));
			} else if (url.searchParams.get('page') === '3') {
				response.end(page(['e'], null));
			} else {
				response.statusCode = 500;
				response.end('broken');
			}
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

	it('appends the next pages in place, moves the link on and announces the count', async () => {
		document.body.innerHTML =
			page(['a', 'b'], `${origin}/de/gallery?page=2`).replace(
				'data-load-more',
				'data-load-more data-loading="Lädt" data-loaded="{count} weitere geladen"'
			) + '<p role="status" data-gallery-status></p>';
		enhanceLoadMore(document);
		const link = document.querySelector('a')!;
		const articles = () => [...document.querySelectorAll('article')].map((a) => a.textContent);
		link.click();
		await vi.waitFor(() => expect(articles()).toEqual(['a', 'b', 'c', 'd']));
		expect(link.href).toBe(`${origin}/de/gallery?page=3`);
		expect(document.querySelector('[data-gallery-status]')!.textContent).toBe('2 weitere geladen');
		expect(link.hasAttribute('aria-busy')).toBe(false);
		link.click();
		await vi.waitFor(() => expect(articles()).toEqual(['a', 'b', 'c', 'd', 'e']));
		// The last page has no next link: neither has the gallery now.
		expect(document.querySelector('a[data-load-more]')).toBeNull();
	});

	it('follows the link when the next page cannot be loaded', async () => {
		document.body.innerHTML = page(['a'], `${origin}/de/gallery?page=9`);
		const assign = vi.fn();
		vi.stubGlobal('location', { ...window.location, assign });
		try {
			enhanceLoadMore(document);
			document.querySelector('a')!.click();
			await vi.waitFor(() => expect(assign).toHaveBeenCalledWith(`${origin}/de/gallery?page=9`));
			expect(document.querySelectorAll('article')).toHaveLength(1);
		} finally {
			vi.unstubAllGlobals();
		}
	});
});
