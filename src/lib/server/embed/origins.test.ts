import { describe, expect, it } from 'vitest';
import { frameAncestors, MAX_EMBED_ORIGINS, normaliseOrigin, parseOriginList } from './origins';

describe('embed origins', () => {
	it('keeps bare https origins, lower-cased, with their port and without a trailing slash', () => {
		expect(normaliseOrigin('https://www.Example.org')).toBe('https://www.example.org');
		expect(normaliseOrigin(' https://verein.example.org/ ')).toBe('https://verein.example.org');
		expect(normaliseOrigin('https://cms.example.org:8443')).toBe('https://cms.example.org:8443');
		expect(normaliseOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example');
	});

	it('allows plain http only for the loopback hosts (local development and tests)', () => {
		expect(normaliseOrigin('http://localhost:4620')).toBe('http://localhost:4620');
		expect(normaliseOrigin('http://127.0.0.1:4620')).toBe('http://127.0.0.1:4620');
		expect(normaliseOrigin('http://[::1]:8080')).toBe('http://[::1]:8080');
		expect(normaliseOrigin('http://www.example.org')).toBeNull();
	});

	it.each([
		['a path', 'https://www.example.org/blog'],
		['a query', 'https://www.example.org/?page=1'],
		['an empty query', 'https://www.example.org?'],
		['a fragment', 'https://www.example.org/#top'],
		['credentials', 'https://user:pw@www.example.org'],
		['a wildcard host', 'https://*.example.org'],
		['a bare wildcard', '*'],
		['a CSP keyword', "'self'"],
		['a second source smuggled in', 'https://a.example https://b.example'],
		['a directive smuggled in', 'https://a.example; script-src *'],
		['another scheme', 'ftp://files.example.org'],
		['a data URL', 'data:text/html,hi'],
		['no scheme', 'www.example.org'],
		['an IP address over https', 'https://192.0.2.10'],
		['an empty line of spaces', '   ']
	])('refuses %s', (_, input) => {
		expect(normaliseOrigin(input)).toBeNull();
	});

	it('reads one origin per line, drops duplicates and names the first bad entry', () => {
		expect(
			parseOriginList('https://a.example\n\nhttps://A.example/\r\nhttp://localhost:4620\n')
		).toEqual({
			ok: true,
			origins: ['https://a.example', 'http://localhost:4620']
		});
		expect(parseOriginList('https://a.example\nhttps://b.example/path')).toEqual({
			ok: false,
			code: 'embed_origin_invalid',
			entry: 'https://b.example/path'
		});
		expect(parseOriginList('')).toEqual({ ok: true, origins: [] });
		const many = Array.from({ length: MAX_EMBED_ORIGINS + 1 }, (_, i) => `https://s${i}.example`);
		expect(parseOriginList(many.join('\n'))).toEqual({ ok: false, code: 'embed_origins_too_many' });
	});

	it('writes frame-ancestors sources: self first, and nothing that is not a bare origin', () => {
		expect(frameAncestors([])).toBe("'self'");
		expect(frameAncestors(['https://a.example', 'http://localhost:4620'])).toBe(
			"'self' https://a.example http://localhost:4620"
		);
		expect(frameAncestors(['https://a.example; script-src *', '*', 'https://b.example'])).toBe(
			"'self' https://b.example"
		);
	});
});
