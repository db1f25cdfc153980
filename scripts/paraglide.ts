/**
 * The paraglide compiler options, shared by the Vite plugin and `npm run paraglide`, so the
 * runtime compiled before type checks and tests resolves locales exactly as the built app does
 * (the CLI alone cannot take URL patterns or the cookie name, and a dev server picking up its
 * output would otherwise fall back to German on /ar/… pages).
 */
import { compile, type CompilerOptions } from '@inlang/paraglide-js';
import { pathToFileURL } from 'node:url';

/**
 * Every UI language carries a URL prefix (/de/…, /en/…): an unprefixed URL has no locale, so the
 * cookie and then Accept-Language decide and the middleware redirects to the prefixed URL.
 * German is the base locale and the last fallback.
 */
const localePrefixes = ['de', 'en', 'uk', 'ar', 'fa'].map(
	(locale) => [locale, `/${locale}/:path(.*)?`] as [string, string]
);

export const paraglideOptions = {
	project: './project.inlang',
	outdir: './src/lib/paraglide',
	strategy: ['url', 'cookie', 'preferredLanguage', 'baseLocale'],
	urlPatterns: [{ pattern: '/:path(.*)?', localized: localePrefixes }],
	cookieName: 'ct_locale',
	cookieMaxAge: 60 * 60 * 24 * 365,
	// One module per message: a page's script then carries only the messages it uses (in five
	// languages), not every message of the app (about 70 KiB gzip on every first load otherwise).
	outputStructure: 'message-modules'
} satisfies CompilerOptions;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	await compile(paraglideOptions);
}
