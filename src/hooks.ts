import type { Reroute } from '@sveltejs/kit';
import { deLocalizeHref } from '$lib/i18n/href';

/** `/ar/about` and `/de/about` both render `src/routes/about`; the locale comes from the prefix. */
export const reroute: Reroute = ({ url }) => deLocalizeHref(url.pathname);
