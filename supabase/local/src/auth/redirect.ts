/**
 * GoTrue's redirect validation (`utilities/request.go` GetReferrer, spec §2.8): a `redirect_to`
 * must be on the site URL's host or match an `additional_redirect_urls` glob; otherwise the
 * Referer (if allowed) or the site URL is used.
 */
import type { AuthSettings } from './settings.ts';

/** Whether `candidate` may be redirected to after a verification. */
export function isAllowedRedirect(settings: AuthSettings, candidate: string): boolean {
	let url: URL;
	try {
		url = new URL(candidate);
	} catch {
		return false;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:' && !url.protocol.endsWith(':'))
		return false;
	try {
		if (new URL(settings.siteUrl).hostname === url.hostname) return true;
	} catch {
		// an unparsable site_url allows nothing by host
	}
	return settings.additionalRedirectUrls.some((pattern) => globMatch(pattern, candidate));
}

/** The requested redirect if allowed, else an allowed Referer, else `site_url`. */
export function pickRedirect(
	settings: AuthSettings,
	requested: string | null | undefined,
	referer?: string
): string {
	if (requested && isAllowedRedirect(settings, requested)) return requested;
	if (referer && isAllowedRedirect(settings, referer)) return referer;
	return settings.siteUrl;
}

/** `**` crosses separators, `*` stays within one `.`/`/` segment, `?` is one character. */
function globMatch(pattern: string, value: string): boolean {
	let source = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '*' && pattern[i + 1] === '*') {
			source += '.*';
			i++;
		} else if (c === '*') source += '[^./]*';
		else if (c === '?') source += '[^./]';
		else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${source}$`).test(value);
}
