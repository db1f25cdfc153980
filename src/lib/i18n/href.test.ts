import { describe, expect, it } from 'vitest';
import {
	deLocalizeHref as runtimeDeLocalizeHref,
	localizeHref as runtimeLocalizeHref,
	locales,
	overwriteGetLocale
} from '$lib/paraglide/runtime';
import { deLocalizeHref, localizeHref } from './href';

const HREFS = [
	'/',
	'/gallery',
	'/gallery/',
	'/gallery?workshop=a&q=b%20c#top',
	'/?q=1',
	'/#main',
	'/de',
	'/de/',
	'/de?x=1',
	'/en/gallery',
	'/ar/pieces/20000000-0000-4000-8000-000000000001?text=fa',
	'/fa/stories/zuhause-ist-ein-verb',
	'/deutsch/x',
	'/end',
	'/feed.xml',
	'/pieces/1/qr.svg'
];

describe('localizeHref', () => {
	it.each(HREFS)('gives what the paraglide runtime gives for %s, in every locale', (href) => {
		for (const locale of locales) {
			expect(localizeHref(href, { locale })).toBe(runtimeLocalizeHref(href, { locale }));
		}
	});

	it('uses the current locale by default', () => {
		overwriteGetLocale(() => 'uk');
		expect(localizeHref('/gallery')).toBe('/uk/gallery');
		expect(localizeHref('/ar/')).toBe('/uk/');
	});

	it('leaves absolute URLs to the runtime', () => {
		expect(localizeHref('http://example.test/gallery', { locale: 'fa' })).toBe(
			runtimeLocalizeHref('http://example.test/gallery', { locale: 'fa' })
		);
	});
});

describe('deLocalizeHref', () => {
	it.each(HREFS)('gives what the paraglide runtime gives for %s', (href) => {
		expect(deLocalizeHref(href)).toBe(runtimeDeLocalizeHref(href));
	});
});
