import { anonReader } from '#lib/server/embed/content.ts';
import { frameAncestors, loadEmbedOrigins } from '#lib/server/embed/origins.ts';
import type { LayoutServerLoad } from './$types';

/**
 * The embed pages may be framed by the app itself and by the origins the organisation listed in
 * the settings; the security headers hook writes that into `frame-ancestors` and drops
 * `X-Frame-Options` for these pages alone (src/lib/server/hooks/security-headers.ts). Error
 * pages here (404, 410) are framed the same way, so the organisation's page says what happened.
 */
export const load: LayoutServerLoad = async ({ locals }) => {
	const origins = await loadEmbedOrigins(anonReader());
	locals.frameAncestors = frameAncestors(origins);
	return { origins };
};

// Server HTML only: no client-side app, no script at all, so nothing sets a cookie in the frame.
export const csr = false;
