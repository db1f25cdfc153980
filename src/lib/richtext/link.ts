import { STORY_LINK_PROTOCOLS, STORY_MAX_HREF_LENGTH } from './schema';

/*
 * Browsers strip tabs and newlines inside a URL and skip leading control characters and spaces
 * before finding its scheme, which is how `java\tscript:` and ` javascript:` turn executable.
 * Rather than model that, any whitespace, control, invisible or bidi-control character anywhere
 * in a link is refused; a real link has them percent-encoded. What remains has its scheme as the
 * literal prefix up to the first colon, so checking that prefix checks what the browser will use.
 */
const FORBIDDEN_IN_HREF =
	// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
	/[\u0000-\u0020\u007f-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb]/u;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const allowedProtocols: ReadonlySet<string> = new Set(STORY_LINK_PROTOCOLS);

/**
 * Whether `href` may be stored as a story link: an absolute http, https or mailto URL without
 * whitespace, control or invisible characters and without user:password@ in web links.
 */
export function isAllowedHref(href: unknown): href is string {
	if (typeof href !== 'string' || href.length === 0 || href.length > STORY_MAX_HREF_LENGTH) {
		return false;
	}
	if (FORBIDDEN_IN_HREF.test(href)) return false;
	const scheme = SCHEME.exec(href)?.[1]?.toLowerCase();
	if (!scheme || !allowedProtocols.has(scheme)) return false;
	let url: URL;
	try {
		url = new URL(href);
	} catch {
		return false;
	}
	if (url.protocol !== `${scheme}:`) return false;
	if (scheme === 'mailto') return url.pathname.length > 0;
	// `https://bank.example@evil.example` shows a trusted name and goes elsewhere.
	return url.hostname.length > 0 && url.username === '' && url.password === '';
}

/**
 * Turns what a writer typed into the link field into an allowed href, or null. Adds `https://`
 * to bare domains and `mailto:` to bare e-mail addresses; everything else must already be allowed.
 */
export function normalizeHrefInput(input: string): string | null {
	const trimmed = input.trim();
	if (trimmed === '') return null;
	if (SCHEME.test(trimmed) && !/^[^:/?#]+\.[^:/?#]+:\d/.test(trimmed)) {
		return isAllowedHref(trimmed) ? trimmed : null;
	}
	const candidate = /^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/.test(trimmed)
		? `mailto:${trimmed}`
		: `https://${trimmed.replace(/^\/\//, '')}`;
	return isAllowedHref(candidate) ? candidate : null;
}
