import type { Reroute } from '@sveltejs/kit';
import { deLocalizeUrl } from '$lib/paraglide/runtime';

/** `/ar/about` and `/de/about` both render `src/routes/about`; the locale comes from the prefix. */
export const reroute: Reroute = ({ url }) => deLocalizeUrl(url).pathname;
