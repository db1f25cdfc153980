/**
 * Reflow on small phones and with large text (WCAG 1.4.10, 1.4.4, 2.5.8): every page a person
 * can reach, in all five languages, at 320 × 640, at 360 × 740 and at 360 px with the text at
 * 200 %. Each page is loaded once at 320 px, then widened to 360 px and then given large text, as
 * a phone turned or set to large text re-lays out the page it shows. All failures of a language
 * come back in one message: page, width, element and sizes. The checks are in ./reflow.ts.
 *
 * Large text is `font-size: 200%` on the root element, set after the page has loaded, as a
 * setting changed while the page is open. A phone's text size (Android's font scale, iOS's
 * Dynamic Type in a web view) reaches a page as a larger default font size: everything sized in
 * rem or em grows with it, px does not, and the viewport stays as wide as it was. Doubling the
 * root size does exactly that; text that does not grow with it is reported, since it would not
 * grow on the phone either. Chromium's minimum font size was not chosen: it only lifts text
 * below a floor to that floor, so body text and headings keep their size and the check would
 * see much less than a reader with large text does. Media queries in rem keep the browser's
 * default here; at 360 px every page is in its narrowest layout anyway.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	expect,
	test,
	type Browser,
	type BrowserContext,
	type Page,
	type TestInfo
} from '@playwright/test';
import { locales, type Locale } from './i18n.ts';
import { reflowFailures } from './reflow.ts';
import { ADMIN, DEMO_JOIN_CODE, JOHANNSTADT, joinDemo, submitSignIn, unique } from './support.ts';

const NARROW = { width: 320, height: 640 };
const PHONE = { width: 360, height: 740 };
// About 30 pages, each measured three times, in one language per test.
test.describe.configure({ timeout: 240_000 });

const piece = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface Visit {
	path: string;
	/** Pages with client-side code are measured once it has run (the story editor, dialogs). */
	hydrates?: boolean;
	status?: number;
}

// The seed's long content is on these pieces: a 60-letter German compound in a title (4), an
// Arabic caption with Latin digits (24), a long unbroken address in a story (1).
const visitorPages: Visit[] = [
	{ path: '' },
	{ path: 'about' },
	{ path: 'privacy' },
	{ path: 'imprint' },
	{ path: 'gallery' },
	{ path: 'gallery?lang=ar' },
	{ path: 'stories' },
	{ path: 'stories/zuhause-ist-ein-verb' },
	{ path: `pieces/${piece(1)}` },
	{ path: `pieces/${piece(4)}` },
	{ path: `pieces/${piece(10)}` },
	{ path: `pieces/${piece(24)}` },
	{ path: `join/${DEMO_JOIN_CODE}`, hydrates: true },
	{ path: 'signin', hydrates: true },
	{ path: 'ticket', hydrates: true },
	{ path: 'kiosk/workshop/verbindende-faeden-johannstadt', hydrates: true },
	{ path: 'kiosk/story/zuhause-ist-ein-verb', hydrates: true },
	// What the organisation's website frames, often in a narrow column.
	{ path: `embed/piece/${piece(4)}` },
	{ path: 'embed/story/zuhause-ist-ein-verb' },
	{ path: 'embed/workshop/verbindende-faeden-johannstadt' },
	{ path: 'this-page-does-not-exist', status: 404 }
];

// The demo participant with an address: a piece sent back with a moderator's note, a draft.
const participantPages: Visit[] = [
	{ path: 'me', hydrates: true },
	{ path: 'pieces/new', hydrates: true },
	{ path: `me/pieces/${piece(28)}/edit`, hydrates: true },
	{ path: `me/pieces/${piece(29)}/edit`, hydrates: true }
];

// The admin sees every control a staff page has.
const staffPages: Visit[] = [
	{ path: 'staff', hydrates: true },
	{ path: `staff/pieces/${piece(25)}`, hydrates: true },
	{ path: `staff/pieces/${piece(4)}`, hydrates: true },
	{ path: 'staff/workshops', hydrates: true },
	{ path: `staff/workshops/${JOHANNSTADT}`, hydrates: true },
	// The poster shows the code just generated, which comes in its link.
	{ path: `staff/workshops/${JOHANNSTADT}/poster?code=ABCD-EFGH-JKMN-PQRS`, hydrates: true },
	{ path: 'staff/labels', hydrates: true },
	{ path: 'staff/team', hydrates: true },
	{ path: 'staff/audit', hydrates: true },
	{ path: 'staff/settings', hydrates: true },
	{ path: 'staff/report', hydrates: true },
	{ path: 'staff/report/print' },
	{ path: 'staff/welcome', hydrates: true }
];

const joinSubmit = (locale: Locale) =>
	(
		JSON.parse(
			readFileSync(
				join(import.meta.dirname, `../../src/lib/i18n/messages/participant/${locale}.json`),
				'utf8'
			)
		) as Record<string, string>
	).participant_join_submit;

/** A context like the project's phone, which `browser.newContext()` in a hook does not get. */
function phoneContext(browser: Browser, testInfo: TestInfo): Promise<BrowserContext> {
	const { baseURL, userAgent, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
	return browser.newContext({
		baseURL,
		userAgent,
		deviceScaleFactor,
		isMobile,
		hasTouch,
		viewport: NARROW
	});
}

async function signedIn(browser: Browser, testInfo: TestInfo, email: string, password: string) {
	const context = await phoneContext(browser, testInfo);
	const page = await context.newPage();
	await page.goto('/de/signin', { waitUntil: 'networkidle' });
	await submitSignIn(page, email, password);
	await page.close();
	return context;
}

let visitor: BrowserContext;
let participant: BrowserContext;
let staff: BrowserContext;

test.beforeAll(async ({ browser }, testInfo) => {
	visitor = await phoneContext(browser, testInfo);
	participant = await signedIn(
		browser,
		testInfo,
		'participant@demo.connecting-thread.test',
		'demo-participant-2026'
	);
	staff = await signedIn(browser, testInfo, ...ADMIN);
});

test.afterAll(async () => {
	await Promise.all([visitor, participant, staff].map((context) => context?.close()));
});

/** Measures the page as it is at 320 px, then at 360 px, then at 360 px with 200 % text. */
async function measure(page: Page, label: string, failures: string[]): Promise<void> {
	await page.setViewportSize(NARROW);
	for (const f of await page.evaluate(reflowFailures, { largeText: false })) {
		failures.push(`${label} at 320 px: ${f}`);
	}
	await page.setViewportSize(PHONE);
	for (const f of await page.evaluate(reflowFailures, { largeText: false })) {
		failures.push(`${label} at 360 px: ${f}`);
	}
	for (const f of await page.evaluate(reflowFailures, { largeText: true })) {
		failures.push(`${label} at 360 px, 200 % text: ${f}`);
	}
}

async function visit(page: Page, locale: Locale, visit: Visit, failures: string[]) {
	const url = `/${locale}/${visit.path}`;
	await page.setViewportSize(NARROW);
	const response = await page.goto(url, { waitUntil: visit.hydrates ? 'networkidle' : 'load' });
	const status = response?.status();
	const landed = new URL(page.url());
	if (status !== (visit.status ?? 200) || `${landed.pathname}${landed.search}` !== url) {
		// A redirect to sign-in or an error page would measure the wrong page.
		failures.push(`${url}: answered ${status} at ${landed.pathname}, not the page itself`);
		return;
	}
	await measure(page, url, failures);
}

for (const locale of locales) {
	test(`every page fits 320 px, 360 px and 200 % text without sideways scrolling (${locale})`, async ({
		browser
	}, testInfo) => {
		const failures: string[] = [];
		for (const [context, visits] of [
			[visitor, visitorPages],
			[participant, participantPages],
			[staff, staffPages]
		] as const) {
			const page = await context.newPage();
			for (const v of visits) await visit(page, locale, v, failures);
			await page.close();
		}

		// Someone who joins by QR code: the return ticket shown once, then the ticket page.
		const joined = await phoneContext(browser, testInfo);
		const page = await joined.newPage();
		await joinDemo(page, locale, `Reflow ${unique()}`, joinSubmit(locale));
		await expect(page.locator('.code')).toBeVisible({ timeout: 30_000 });
		await measure(page, `/${locale}/join/${DEMO_JOIN_CODE} (ticket shown)`, failures);
		await visit(page, locale, { path: 'me/ticket', hydrates: true }, failures);
		await visit(page, locale, { path: 'me', hydrates: true }, failures);
		await joined.close();

		expect(failures, `${failures.length} failures:\n${failures.join('\n')}`).toEqual([]);
	});
}
