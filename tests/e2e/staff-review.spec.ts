/**
 * The review path with several browser contexts: a participant's piece is sent back by a moderator
 * writing in German, the participant reads the reason in Ukrainian and resubmits, the moderator
 * publishes, an anonymous visitor finds it in the gallery, the participant withdraws it and its
 * public image URLs stop answering. Two moderators acting on one piece: one wins, the other is
 * told. Axe on the staff pages in German and Arabic.
 */
import AxeBuilder from '@axe-core/playwright';
import { createClient } from '@supabase/supabase-js';
import { expect, test, type Browser, type Page } from '@playwright/test';
import sharp from 'sharp';
import ws from 'ws';
import { SECRET_KEY } from '../../supabase/local/src/core/keys.ts';

const stackUrl =
	process.env.E2E_STACK_URL ?? `http://127.0.0.1:${process.env.E2E_STACK_PORT ?? 54329}`;
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const JOHANNSTADT = '10000000-0000-4000-8000-000000000001';

// Several contexts and full round trips per test: more time than the default.
test.describe.configure({ timeout: 180_000 });
test.use({ actionTimeout: 30_000 });
const slow = { timeout: 30_000 };

function admin() {
	return createClient(stackUrl, SECRET_KEY, {
		auth: { persistSession: false, autoRefreshToken: false },
		realtime: { transport: ws as never }
	});
}

async function check<T extends { error: unknown }>(result: PromiseLike<T>): Promise<T> {
	const done = await result;
	if (done.error) throw done.error;
	return done;
}

/** Joins the demo workshop in Ukrainian in its own browser context; returns the page and user. */
async function joinInUkrainian(browser: Browser, name: string) {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto('/uk/join/FADEN-2026-DEMO');
	await page.getByRole('textbox').first().fill(name);
	await page.getByRole('radio').first().check();
	await page.getByRole('button', { name: 'Приєднатися' }).click();
	await expect(page.locator('.code')).toBeVisible(slow);
	const { data } = await admin().auth.admin.listUsers({ perPage: 1000 });
	const user = data.users.find((u) => u.user_metadata?.display_name === name);
	if (!user) throw new Error(`no user ${name}`);
	return { context, page, userId: user.id };
}

/**
 * A piece of `makerId` with a consent, one photo (master and two derivatives in `masters`, as the
 * image pipeline leaves them) and a Ukrainian title, submitted. The rows are written with the
 * service role because the upload pages belong to another part of the app; the submission goes
 * through the same status transition and event as `submit_piece`.
 */
async function submittedPiece(makerId: string, title: string): Promise<string> {
	const db = admin();
	const id = crypto.randomUUID();
	const photoId = crypto.randomUUID();
	const base = `${makerId}/${id}/${photoId}`;
	const jpeg = await sharp({
		create: { width: 960, height: 720, channels: 3, background: '#7a3b2e' }
	})
		.jpeg()
		.toBuffer();
	for (const path of [`${base}/master.jpg`, `${base}/w480.jpg`, `${base}/w960.jpg`]) {
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
			variants: { jpg: { '480': `${base}/w480.jpg`, '960': `${base}/w960.jpg` } },
			width: 960,
			height: 720
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

async function resubmit(id: string, from: string): Promise<void> {
	const db = admin();
	await check(db.from('pieces').update({ status: 'submitted' }).eq('id', id));
	const { data } = await db.from('pieces').select('maker_id').eq('id', id).single();
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

async function signInStaff(browser: Browser, email: string, password: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto('/de/signin?next=/de/staff');
	const form = page.getByRole('form', { name: 'Mit E-Mail und Passwort' });
	await form.getByRole('textbox', { name: /^E-Mail/ }).fill(email);
	await form.getByRole('textbox', { name: /^Passwort/ }).fill(password);
	await form.getByRole('button', { name: 'Anmelden' }).click();
	await page.waitForURL((url) => !url.pathname.endsWith('/signin'), slow);
	await page.goto('/de/staff');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Eingereichte Stücke', slow);
	return page;
}

const moderator = (browser: Browser) =>
	signInStaff(browser, 'moderator@demo.connecting-thread.test', 'demo-moderator-2026');

async function publicUrls(pieceId: string): Promise<string[]> {
	const { data } = await admin()
		.from('piece_photos')
		.select('public_variants')
		.eq('piece_id', pieceId);
	return (data ?? []).flatMap((row) =>
		Object.values((row.public_variants ?? {}) as Record<string, Record<string, string>>)
			.flatMap((byWidth) => Object.values(byWidth))
			.map((path) => `${stackUrl}/storage/v1/object/public/public-media/${path}`)
	);
}

test('request changes in German, resubmit, publish, show, withdraw: public copies go', async ({
	browser
}) => {
	const title = `Соняшник ${Date.now().toString(36)}`;
	const participant = await joinInUkrainian(browser, `Оксана ${Date.now().toString(36)}`);
	const pieceId = await submittedPiece(participant.userId, title);

	const staff = await moderator(browser);
	await staff.getByRole('link', { name: title }).click();
	await expect(staff.getByRole('heading', { level: 1 })).toHaveText(`Prüfen: ${title}`);
	await expect(staff.getByRole('heading', { name: title, level: 2 })).toBeVisible();
	await expect(staff.getByText('Online-Galerie')).toBeVisible();
	const changes = staff.locator('form', { has: staff.locator('input[value="request_changes"]') });
	await changes.getByRole('checkbox', { name: 'Text überarbeiten' }).check();
	await changes
		.getByRole('textbox', { name: 'Notiz (freiwillig)' })
		.fill('Bitte den Titel kürzen.');
	await changes.getByRole('button', { name: 'Änderungen erbitten' }).click();
	await expect(staff.getByRole('status').filter({ hasText: 'Änderungen erbeten.' })).toBeVisible(
		slow
	);
	await expect(staff.getByText('Status: Änderungen erbeten')).toBeVisible();

	await participant.page.goto('/uk/me');
	const card = participant.page.getByRole('article', { name: title });
	await expect(card.getByText('Потрібні зміни')).toBeVisible(slow);
	const { default: uk } = await import('../../src/lib/i18n/messages/participant/uk.json', {
		with: { type: 'json' }
	});
	await expect(card.getByText(uk.participant_reason_text_needs_work)).toBeVisible();
	await expect(card.locator('q[lang="de"]')).toHaveText('Bitte den Titel kürzen.');

	await check(
		admin()
			.from('piece_texts')
			.update({ title: `${title}!` })
			.eq('piece_id', pieceId)
	);
	await resubmit(pieceId, 'changes_requested');

	await staff.goto(`/de/staff/pieces/${pieceId}`);
	await staff.getByRole('button', { name: 'Veröffentlichen' }).click();
	await expect(staff.getByRole('status').filter({ hasText: 'Veröffentlicht.' })).toBeVisible(slow);
	const urls = await publicUrls(pieceId);
	expect(urls.length).toBe(2);
	for (const url of urls) expect((await fetch(url)).status).toBe(200);

	const visitor = await (await browser.newContext()).newPage();
	await visitor.goto('/de/gallery');
	await expect(visitor.getByText(`${title}!`).first()).toBeVisible();

	await participant.page.goto('/uk/me');
	const published = participant.page.getByRole('article', { name: `${title}!` });
	await published.getByRole('button', { name: 'Відкликати' }).click();
	await participant.page.getByRole('dialog').getByRole('button', { name: 'Відкликати' }).click();
	await expect(published.getByText('Відкликано')).toBeVisible(slow);
	for (const url of urls) expect((await fetch(url)).status).not.toBe(200);
	await visitor.goto(`/de/pieces/${pieceId}`);
	await expect(visitor.getByRole('heading', { level: 1 })).not.toHaveText(`${title}!`);
});

test('two moderators on one piece: the second is told who was first', async ({ browser }) => {
	const participant = await joinInUkrainian(browser, `Марія ${Date.now().toString(36)}`);
	const pieceId = await submittedPiece(participant.userId, `Рушник ${Date.now().toString(36)}`);
	const first = await moderator(browser);
	const second = await signInStaff(browser, 'admin@demo.connecting-thread.test', 'demo-admin-2026');
	await first.goto(`/de/staff/pieces/${pieceId}`);
	await second.goto(`/de/staff/pieces/${pieceId}`);

	await first.getByRole('button', { name: 'Veröffentlichen' }).click();
	await expect(first.getByRole('status').filter({ hasText: 'Veröffentlicht.' })).toBeVisible(slow);

	const reject = second.locator('form', { has: second.locator('input[value="reject"]') });
	await reject.getByRole('checkbox', { name: 'Passt nicht zum Thema' }).check();
	await reject.getByRole('button', { name: 'Ablehnen' }).click();
	await expect(second.getByRole('alert')).toContainText(
		'Schon geprüft von Mira (Moderation)',
		slow
	);
	await expect(second.getByRole('alert')).toContainText('Aktueller Status: Veröffentlicht');
	await expect(second.getByText('Status: Veröffentlicht')).toBeVisible();
});

test('a participant is refused the staff area', async ({ browser }) => {
	const participant = await joinInUkrainian(browser, `Ігор ${Date.now().toString(36)}`);
	const response = await participant.page.goto('/uk/staff');
	expect(response?.status()).toBe(403);
});

for (const locale of ['de', 'ar'] as const) {
	test(`axe: queue, review view and workshop pages (${locale})`, async ({ browser }) => {
		const page = await moderator(browser);
		const audit = async (path: string) => {
			await page.goto(`/${locale}${path}`);
			const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
			expect(
				results.violations.map(({ id, nodes }) => ({ id, nodes: nodes.map((n) => n.target) })),
				path
			).toEqual([]);
		};
		await audit('/staff');
		const first = page.locator('.queue a').first();
		await page.goto(`/${locale}/staff`);
		const href = await first.getAttribute('href');
		expect(href).toBeTruthy();
		await audit(href!.replace(/^\/(de|ar)/, ''));
		await audit('/staff/workshops');
		await audit(`/staff/workshops/${JOHANNSTADT}`);
		await audit('/staff/audit');
	});
}
