import type { Reroute } from '@sveltejs/kit';
import { locales } from '$lib/paraglide/runtime';

/** `/ar`, `/ar/` or `/ar/…`: a locale prefix, as the URL patterns in scripts/paraglide.ts define. */
const LOCALE_PREFIX = new RegExp(`^/(?:${locales.join('|')})(?=/|$)`);

/**
 * `/ar/about` and `/de/about` both render `src/routes/about`; the locale comes from the prefix.
 * Equivalent to paraglide's `deLocalizeUrl(url).pathname` for our prefix patterns (src/hooks.test.ts
 * holds them to it), without the URLPattern matching it runs for every request and navigation.
 */
export const reroute: Reroute = ({ url }) => url.pathname.replace(LOCALE_PREFIX, '') || '/';
