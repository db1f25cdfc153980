import { describe, expect, it } from 'vitest';
import { isAllowedHref, normalizeHrefInput } from './link';

describe('isAllowedHref', () => {
	it.each([
		'https://example.org',
		'http://example.org/path?q=1#top',
		'HTTPS://EXAMPLE.ORG/',
		'mailto:werkstatt@example.org',
		'https://de.wikipedia.org/wiki/Stickerei_%C3%A4',
		'https://xn--strae-oqa.example/',
		'https://example.org/%20space'
	])('allows %s', (href) => {
		expect(isAllowedHref(href)).toBe(true);
	});

	it.each([
		['javascript', 'javascript:alert(1)'],
		['mixed case', 'JaVaScRiPt:alert(1)'],
		['tab inside the scheme', 'java\tscript:alert(1)'],
		['newline inside the scheme', 'java\nscript:alert(1)'],
		['leading space', ' javascript:alert(1)'],
		['leading control character', '\u0001javascript:alert(1)'],
		['entity as literal text', '&#106;avascript:alert(1)'],
		['percent-encoded scheme', '%6Aavascript:alert(1)'],
		['data', 'data:text/html,<script>alert(1)</script>'],
		['data, base64', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
		['vbscript', 'vbscript:msgbox(1)'],
		['file', 'file:///etc/passwd'],
		['ftp', 'ftp://example.org'],
		['tel', 'tel:+49351'],
		['relative', '/de/pieces'],
		['protocol-relative', '//evil.example'],
		['no scheme', 'example.org'],
		['empty', ''],
		['credentials', 'https://bank.example@evil.example/'],
		['credentials with password', 'https://user:pass@evil.example/'],
		['space inside', 'https://exa mple.org'],
		['no-break space', 'https://example.org/\u00a0'],
		['right-to-left override', 'https://example.org/\u202egpj.exe'],
		['zero-width space', 'https://exam\u200bple.org'],
		['byte order mark', '\ufeffjavascript:alert(1)'],
		['http without host', 'http://'],
		['mailto without address', 'mailto:'],
		['too long', `https://example.org/${'a'.repeat(2000)}`]
	])('refuses %s', (_name, href) => {
		expect(isAllowedHref(href)).toBe(false);
	});

	it('refuses non-strings', () => {
		for (const value of [
			null,
			undefined,
			42,
			{},
			['https://example.org'],
			new URL('https://a.b')
		]) {
			expect(isAllowedHref(value)).toBe(false);
		}
	});
});

describe('normalizeHrefInput', () => {
	it.each([
		['example.org', 'https://example.org'],
		['  www.example.org/a  ', 'https://www.example.org/a'],
		['example.org:8080/x', 'https://example.org:8080/x'],
		['werkstatt@example.org', 'mailto:werkstatt@example.org'],
		['https://example.org', 'https://example.org'],
		['mailto:a@example.org', 'mailto:a@example.org']
	])('turns %j into %j', (input, href) => {
		expect(normalizeHrefInput(input)).toBe(href);
	});

	it.each([
		'',
		'   ',
		'javascript:alert(1)',
		'data:text/html,x',
		'exa mple.org',
		'ftp://example.org'
	])('refuses %j', (input) => {
		expect(normalizeHrefInput(input)).toBeNull();
	});
});
