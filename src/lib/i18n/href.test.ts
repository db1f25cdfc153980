import { describe, expect, it } from 'vitest';
import * as paraglide from '#lib/paraglide/runtime.js';
import { deLocalizeHref, hasLocalePrefix, localizeHref, stripLocalePrefix } from './href';

const HREFS = [
	'/',
	'/gallery',
	'/gallery/',
	'/gallery?workshop=stichwerk-neustadt&lang=uk',
	'/gallery?q=Соняшник#results',
	'/pieces/20000000-0000-4000-8000-000000000001',
	'/de',
	'/de/',
	'/ar/about',
	'/fa/gallery?page=2',
	'/dex/about',
	'/about/de',
	'/a/../b',
	'/signin?next=/de/staff',
	'/stories/zuhause ist ein verb',
	'https://example.org/de/about',
	'//example.org/about'
];

describe('localizeHref', () => {
	for (const locale of paraglide.locales) {
		it.each(HREFS)(`%s in ${locale} is what paraglide answers`, (href) => {
			expect(localizeHref(href, { locale })).toBe(paraglide.localizeHref(href, { locale }));
		});
	}
});

describe('deLocalizeHref', () => {
	it.each(HREFS)('%s is what paraglide answers', (href) => {
		expect(deLocalizeHref(href)).toBe(paraglide.deLocalizeHref(href));
	});
});

describe('hasLocalePrefix', () => {
	it.each([
		['/de', true],
		['/ar/about', true],
		['/uk/pieces/1', true],
		['/', false],
		['/feed.xml', false],
		['/deutsch', false],
		['/en-gb/about', false]
	] as const)('%s → %s, as stripping the prefix changes it or not', (path, named) => {
		expect(hasLocalePrefix(path)).toBe(named);
		expect(stripLocalePrefix(path) !== path).toBe(named);
	});
});
