/**
 * The review path with several browser contexts: a participant's piece is sent back by a moderator
 * writing in German, the participant reads the reason in Ukrainian and resubmits, the moderator
 * publishes, an anonymous visitor finds it in the gallery, the participant withdraws it and its
 * public image URLs stop answering. Two moderators acting on one piece: one wins, the other is
 * told. Axe on the staff pages in German and Arabic.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import {
	ADMIN,
	admin,
	analyzeWcag,
	check,
	JOHANNSTADT,
	joinDemo,
	MODERATOR,
	resubmit,
	stackUrl,
	submitSignIn,
	submittedPiece as servicePiece,
	userIdByName,
	violationTargets
} from './support.ts';

// Several contexts and full round trips per test: more time than the default.
test.describe.configure({ timeout: 180_000 });
test.use({ actionTimeout: 30_000 });
const slow = { timeout: 30_000 };

/** Joins the demo workshop in Ukrainian in its own browser context; returns the page and user. */
async function joinInUkrainian(browser: Browser, name: string) {
	const context = await browser.newContext();
	const page = await context.newPage();
	await joinDemo(page, 'uk', name, 'Приєднатися');
	await expect(page.locator('.code')).toBeVisible(slow);
	return { context, page, userId: await userIdByName(name) };
}

/** A submitted piece whose photo has two derivatives, so that publishing makes two public copies. */
const submittedPiece = (makerId: string, title: string) =>
	servicePiece(makerId, title, { widths: [480, 960], background: '#7a3b2e' });

async function signInStaff(browser: Browser, email: string, password: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto('/de/signin?next=/de/staff');
	await submitSignIn(page, email, password);
	await page.goto('/de/staff');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Eingereichte Stücke', slow);
	return page;
}

const moderator = (browser: Browser) => signInStaff(browser, ...MODERATOR);

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
	const second = await signInStaff(browser, ...ADMIN);
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
			expect(violationTargets(await analyzeWcag(page)), path).toEqual([]);
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
