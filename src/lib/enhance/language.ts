/**
 * The language parts of the page header: remembers the page's language in the locale cookie (so
 * an unprefixed link, a QR code say, opens in it) and closes the language menu on Escape.
 * The cookie's name and lifetime come from the script element (`data-locale-cookie`), written on
 * the server from paraglide's settings.
 */
export function enhanceLanguage(root: Document): void {
	const script = root.querySelector<HTMLScriptElement>('script[data-locale-cookie]');
	const locale = root.documentElement.lang;
	if (script?.dataset.localeCookie && locale) {
		const [name, maxAge] = script.dataset.localeCookie.split(';');
		root.cookie = `${name}=${locale}; path=/; max-age=${maxAge}; samesite=lax`;
	}
	root.addEventListener('keydown', (event) => {
		if (event.key !== 'Escape') return;
		for (const details of root.querySelectorAll<HTMLDetailsElement>('details[data-menu][open]')) {
			details.open = false;
			details.querySelector('summary')?.focus();
		}
	});
}
