/**
 * Helpers the end-to-end specs share: the stack's service-role client, the seeded demo workshop
 * and accounts, sign-in and joining as a person does it, pieces put in place as the image pipeline
 * leaves them, and the axe audit. Assertions stay in the specs.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createClient } from '@supabase/supabase-js';
import sharp from 'sharp';
import { SECRET_KEY } from '../../supabase/local/src/core/keys.ts';

/** The local stack the app under test talks to (playwright.config.ts starts it on this port). */
export const stackUrl =
	process.env.E2E_STACK_URL ?? `http://127.0.0.1:${process.env.E2E_STACK_PORT ?? 54329}`;

/** The seeded demo workshop (supabase/seed.sql) and its join code. */
export const JOHANNSTADT = '10000000-0000-4000-8000-000000000001';
export const DEMO_JOIN_CODE = 'FADEN-2026-DEMO';

/** Seeded staff accounts as `[email, password]`, spread into `signIn(page, ...ACCOUNT)`. */
export const MODERATOR = ['moderator@demo.connecting-thread.test', 'demo-moderator-2026'] as const;
export const ADMIN = ['admin@demo.connecting-thread.test', 'demo-admin-2026'] as const;
export const FACILITATOR = [
	'facilitator@demo.connecting-thread.test',
	'demo-facilitator-2026'
] as const;
export const NEUSTADT_FACILITATOR = [
	'facilitator-neustadt@demo.connecting-thread.test',
	'demo-facilitator-2026'
] as const;

/** The WCAG 2.2 A/AA rule tags every axe audit runs with. */
export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** A service-role client on the stack, for putting data in place and reading it back. */
export function admin() {
	return createClient(stackUrl, SECRET_KEY, {
		auth: { persistSession: false, autoRefreshToken: false }
	});
}

/** Awaits a supabase-js call and throws its error, so setup failures stop the test at once. */
export async function check<T extends { error: unknown }>(result: PromiseLike<T>): Promise<T> {
	const done = await result;
	if (done.error) throw done.error;
	return done;
}

/** A short suffix that keeps names, titles and addresses of parallel runs apart. */
export const unique = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

/** The id of the user whose display name is `name` (names are made unique by the tests). */
export async function userIdByName(name: string): Promise<string> {
	const { data } = await check(admin().auth.admin.listUsers({ perPage: 1000 }));
	const user = data.users.find((u) => u.user_metadata?.display_name === name);
	if (!user) throw new Error(`no user ${name}`);
	return user.id;
}

/**
 * Fills and sends the German email-and-password form on the sign-in page `page` is on, and waits
 * until the app has left /signin.
 */
export async function submitSignIn(
	page: Page,
	email: string,
	password: string,
	timeout = 30_000
): Promise<void> {
	const form = page.getByRole('form', { name: 'Mit E-Mail und Passwort' });
	await form.getByRole('textbox', { name: /^E-Mail/ }).fill(email);
	await form.getByRole('textbox', { name: /^Passwort/ }).fill(password);
	await form.getByRole('button', { name: 'Anmelden' }).click();
	await page.waitForURL((url) => !url.pathname.endsWith('/signin'), { timeout });
}

/**
 * Opens the demo join page in `locale`, enters `name`, takes the first age choice and presses
 * `submit`. The caller waits for what it expects next.
 */
export async function joinDemo(
	page: Page,
	locale: string,
	name: string,
	submit: string
): Promise<void> {
	// Wait for hydration: a radio checked before it can be reset when the page takes over.
	await page.goto(`/${locale}/join/${DEMO_JOIN_CODE}`, { waitUntil: 'networkidle' });
	await page.getByRole('textbox').first().fill(name);
	await page.getByRole('radio').first().check();
	await page.getByRole('button', { name: submit }).click();
}

/**
 * A piece of `makerId` in Johannstadt with a consent, one photo (master and one derivative per
 * width in `masters`, as the image pipeline leaves them) and a Ukrainian title, submitted. The
 * rows are written with the service role because the upload pages belong to another part of the
 * app; the submission goes through the same status transition and event as `submit_piece`.
 */
export async function submittedPiece(
	makerId: string,
	title: string,
	{ widths = [480], background = '#2e5e7a' }: { widths?: number[]; background?: string } = {}
): Promise<string> {
	const db = admin();
	const id = crypto.randomUUID();
	const photoId = crypto.randomUUID();
	const base = `${makerId}/${id}/${photoId}`;
	const width = Math.max(...widths);
	const height = (width * 3) / 4;
	const jpeg = await sharp({ create: { width, height, channels: 3, background } })
		.jpeg()
		.toBuffer();
	const variants = Object.fromEntries(widths.map((w) => [String(w), `${base}/w${w}.jpg`]));
	for (const path of [`${base}/master.jpg`, ...Object.values(variants)]) {
		await check(db.storage.from('masters').upload(path, jpeg, { contentType: 'image/jpeg' }));
	}
	await check(
		db
			.from('pieces')
			.insert({ id, workshop_id: JOHANNSTADT, maker_id: makerId, original_language: 'uk' })
	);
	await check(db.from('piece_texts').insert({ piece_id: id, language: 'uk', title }));
	await check(
		db.from('piece_photos').insert({
			id: photoId,
			piece_id: id,
			position: 0,
			master_path: `${base}/master.jpg`,
			variants: { jpg: variants },
			width,
			height
		})
	);
	await check(
		db.from('consents').insert({
			piece_id: id,
			granted_by: makerId,
			scopes: ['online_gallery'],
			people_visible: false,
			maker_age_bracket: '16_plus',
			consent_text_version: 'e2e',
			consent_language: 'uk'
		})
	);
	await resubmit(id, 'draft');
	return id;
}

/** Moves piece `id` from status `from` to submitted, with the maker's submit event. */
export async function resubmit(id: string, from: string): Promise<void> {
	const db = admin();
	await check(db.from('pieces').update({ status: 'submitted' }).eq('id', id));
	const { data } = await check(db.from('pieces').select('maker_id').eq('id', id).single());
	await check(
		db.from('moderation_events').insert({
			piece_id: id,
			actor_id: data?.maker_id,
			action: 'submit',
			from_status: from,
			to_status: 'submitted'
		})
	);
}

/** Runs axe with the WCAG tags on the page as it is now. */
export function analyzeWcag(page: Page) {
	return new AxeBuilder({ page }).withTags(wcagTags).analyze();
}

/** Violations reduced to rule id and target nodes: a failing test then says where to look. */
export function violationTargets(results: Awaited<ReturnType<typeof analyzeWcag>>) {
	return results.violations.map(({ id, nodes }) => ({ id, nodes: nodes.map((n) => n.target) }));
}
