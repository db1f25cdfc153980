/**
 * Finds a Chromium for Playwright: Debian's package where it exists (these machines cannot
 * download browsers), otherwise Playwright's own. Stops with what to install when there is none.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const SYSTEM_CHROMIUM = [
	'/usr/lib/chromium/chromium',
	'/usr/bin/chromium',
	'/usr/bin/chromium-browser'
];

export function findChromium(): string | undefined {
	if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
	const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
	if (system) return system;
	let bundled: string | undefined;
	try {
		bundled = chromium.executablePath();
	} catch {
		bundled = undefined;
	}
	if (bundled && existsSync(bundled)) return undefined; // Playwright's default finds it.
	throw new Error(
		'No Chromium found. Install one, then run the tests again:\n' +
			'  Debian/Ubuntu:  sudo apt-get install chromium\n' +
			'  elsewhere:      npx playwright install chromium\n' +
			'  or point CHROMIUM_PATH at a Chromium/Chrome binary.'
	);
}

/** Flags for headless Chromium on a machine without network or sandbox support. */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run'
];
