/**
 * Supabase's auth cookies are `sb-<ref>-auth-token`, possibly chunked into `.0`, `.1`, … The one
 * rule for "this request may belong to a session", used by the Supabase hook (parsed cookies)
 * and the page cache (the raw header, on its fast path before SvelteKit).
 */
export function isAuthCookieName(name: string): boolean {
	return name.startsWith('sb-') && name.includes('-auth-token');
}

/** Whether a `Cookie` header carries an auth cookie. */
export function hasAuthCookieHeader(header: string | null | undefined): boolean {
	return (header ?? '')
		.split(';')
		.some((pair) => isAuthCookieName(pair.trimStart().split('=', 1)[0] ?? ''));
}
