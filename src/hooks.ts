import type { Reroute } from '@sveltejs/kit/hooks';
import { stripLocalePrefix } from '#lib/i18n/href.ts';

/**
 * `/ar/about` and `/de/about` both render `src/routes/about`; the locale comes from the prefix.
 * Equivalent to paraglide's `deLocalizeUrl(url).pathname` for our prefix patterns (src/hooks.test.ts
 * holds them to it), without the URLPattern matching it runs for every request and navigation.
 */
export const reroute: Reroute = ({ url }) => stripLocalePrefix(url.pathname);
