import { describe, expect, it } from 'vitest';
import { deLocalizeUrl } from '#lib/paraglide/runtime.js';
import { reroute } from './hooks';

const PATHS = [
	'/',
	'/de',
	'/de/',
	'/ar/about',
	'/fa/pieces/20000000-0000-4000-8000-000000000001',
	'/uk/gallery/more',
	'/en/gallery',
	'/gallery',
	'/dex/about',
	'/deutsch',
	'/about/de/x',
	'/de/de/',
	'/feed.xml',
	'/ar/feed.xml'
];

describe('reroute', () => {
	it.each(PATHS)('%s maps to the route paraglide would pick', (path) => {
		const url = new URL(`http://localhost${path}?q=1`);
		const expected = deLocalizeUrl(url).pathname;
		expect(reroute({ url, fetch })).toBe(expected);
	});
});
