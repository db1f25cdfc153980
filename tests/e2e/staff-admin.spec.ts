/**
 * Staff management and the guards around every staff form action, against a running app and
 * stack: form actions refuse participants, facilitators of another workshop and a moderator whose
 * role was revoked a moment ago (HTTP POSTs with their own session cookies, as a forged form
 * would send them); an admin invites a facilitator whose mail lands in the stack's outbox and whose
 * link leads to setting a password and the staff area; a moderator fixes a typo that the
 * participant then sees attributed; the decision mail reaches a participant with an address;
 * keyboard shortcuts and bulk publishing work. Axe on the new pages in German and Arabic.
 */
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import {
	ADMIN,
	admin,
	analyzeWcag,
	check,
	FACILITATOR,
	JOHANNSTADT,
	joinDemo,
	MODERATOR,
	NEUSTADT_FACILITATOR,
	stackUrl,
	submitSignIn,
	submittedPiece,
	unique
} from './support.ts';

test.describe.configure({ timeout: 300_000 });
test.use({ actionTimeout: 30_000 });
const slow = { timeout: 30_000 };

/** A full account (email and password) that joined the demo workshop with Ukrainian as UI. */
async function participantWithEmail(): Promise<{ userId: string; email: string }> {
	const email = `maker-${unique()}@example.test`;
	const { data } = await check(
		admin().auth.admin.createUser({
			email,
			password: 'maker-pass-2026',
			email_confirm: true,
			user_metadata: { display_name: 'Оксана', ui_language: 'uk' }
		})
	);
	await check(
		admin().from('workshop_members').insert({ workshop_id: JOHANNSTADT, user_id: data.user!.id })
	);
	return { userId: data.user!.id, email };
}

async function statusOf(id: string): Promise<string> {
	const { data } = await check(admin().from('pieces').select('status').eq('id', id).single());
	return data?.status as string;
}

async function signIn(browser: Browser, email: string, password: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto('/de/signin?next=/de/me', { waitUntil: 'networkidle' });
	await submitSignIn(page, email, password);
	return page;
}

/** Joins the demo workshop anonymously, as a participant arriving by QR code does. */
async function anonymousParticipant(browser: Browser): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await joinDemo(page, 'de', `Ahmad ${unique()}`, 'Mitmachen');
	await expect(page.locator('.code')).toBeVisible(slow);
	return page;
}

/** A form action POST with the page's cookies, as SvelteKit's enhance sends it. */
function postAction(request: APIRequestContext, baseURL: string, path: string, form: object) {
	return request.post(path, {
		form: form as Record<string, string>,
		headers: { origin: baseURL, 'x-sveltejs-action': 'true' },
		maxRedirects: 0,
		timeout: 90_000
	});
}

async function outbox(to: string): Promise<{ subject: string; text: string }[]> {
	const response = await fetch(`${stackUrl}/auth/v1/outbox.json?to=${encodeURIComponent(to)}`);
	return ((await response.json()) as { messages: { subject: string; text: string }[] }).messages;
}

test('form actions refuse participants, other workshops and a just-revoked moderator', async ({
	browser,
	baseURL
}) => {
	const maker = await participantWithEmail();
	const pieceId = await submittedPiece(maker.userId, `Рушник ${unique()}`);
	const publish = { action: 'publish', expected: 'submitted' };
	const fix = { language: 'uk', title: 'Підроблено' };

	// A participant (anonymous sign-in) is refused by every staff action.
	const participant = await anonymousParticipant(browser);
	const asParticipant = participant.context().request;
	for (const [path, form] of [
		[`/de/staff/pieces/${pieceId}?/decide`, publish],
		[`/de/staff/pieces/${pieceId}?/correct`, fix],
		['/de/staff?/bulkPublish', { workshop: JOHANNSTADT, piece: pieceId }],
		['/de/staff/team?/access', { user: maker.userId, role: 'admin' }]
	] as const) {
		const response = await postAction(asParticipant, baseURL!, path, form);
		expect(response.status(), path).toBe(403);
	}

	// A facilitator of Neustadt is staff, but not of this Johannstadt piece.
	const neustadt = (await signIn(browser, ...NEUSTADT_FACILITATOR)).context().request;
	const decided = await postAction(
		neustadt,
		baseURL!,
		`/de/staff/pieces/${pieceId}?/decide`,
		publish
	);
	expect(await decided.text()).toContain('not_workshop_staff');
	const corrected = await postAction(
		neustadt,
		baseURL!,
		`/de/staff/pieces/${pieceId}?/correct`,
		fix
	);
	expect(await corrected.text()).toContain('not_workshop_staff');
	const bulk = await postAction(neustadt, baseURL!, '/de/staff?/bulkPublish', {
		workshop: JOHANNSTADT,
		piece: pieceId
	});
	expect(await bulk.text()).toContain('not_workshop_staff');
	// Only admins manage the team.
	expect(
		(
			await postAction(neustadt, baseURL!, '/de/staff/team?/access', { user: maker.userId })
		).status()
	).toBe(403);
	expect(await statusOf(pieceId)).toBe('submitted');

	// A moderator whose role an admin revokes is refused on their very next request.
	const email = `moderator-${unique()}@example.test`;
	const { data } = await check(
		admin().auth.admin.createUser({ email, password: 'moderator-2026', email_confirm: true })
	);
	await check(admin().from('staff_roles').insert({ user_id: data.user!.id, role: 'moderator' }));
	const moderatorPage = await signIn(browser, email, 'moderator-2026');
	await moderatorPage.goto(`/de/staff/pieces/${pieceId}`);
	await expect(moderatorPage.getByRole('button', { name: 'Veröffentlichen' })).toBeVisible(slow);
	const adminPage = await signIn(browser, ...ADMIN);
	await adminPage.goto('/de/staff/team', { waitUntil: 'networkidle' });
	const member = adminPage.getByRole('article', { name: new RegExp(email) });
	await member.getByRole('button', { name: 'Zugang entziehen' }).click();
	await expect(adminPage.getByRole('status').filter({ hasText: 'Zugang entzogen' })).toBeVisible(
		slow
	);
	const refused = await postAction(
		moderatorPage.context().request,
		baseURL!,
		`/de/staff/pieces/${pieceId}?/decide`,
		publish
	);
	expect(refused.status()).toBe(403);
	expect(await statusOf(pieceId)).toBe('submitted');

	// The moderator cannot publish their own piece through the form either.
	await check(
		admin().from('workshop_members').insert({ workshop_id: JOHANNSTADT, user_id: data.user!.id })
	);
	await check(admin().from('staff_roles').insert({ user_id: data.user!.id, role: 'moderator' }));
	const own = await submittedPiece(data.user!.id, `Власна ${unique()}`);
	const ownResult = await postAction(
		moderatorPage.context().request,
		baseURL!,
		`/de/staff/pieces/${own}?/decide`,
		publish
	);
	expect(await ownResult.text()).toContain('own_piece');
	expect(await statusOf(own)).toBe('submitted');
});

test('an admin invites a facilitator; the mail link leads to a password and the staff area', async ({
	browser
}) => {
	const email = `facilitator-${unique()}@example.test`;
	const page = await signIn(browser, ...ADMIN);
	await page.goto('/de/staff/team', { waitUntil: 'networkidle' });
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Team verwalten', slow);
	const invite = page.locator('form[action="?/invite"]');
	await invite.getByRole('textbox', { name: 'E-Mail-Adresse' }).fill(email);
	await invite.getByRole('radio', { name: 'Workshopleitung' }).check();
	await invite.getByRole('checkbox').first().check();
	await invite.getByRole('button', { name: 'Einladung senden' }).click();
	await expect(page.getByRole('status').filter({ hasText: email })).toBeVisible(slow);
	await expect(page.getByRole('article', { name: new RegExp(email) })).toBeVisible();
	await expect(
		page.getByText(new RegExp(`hat ${email.replace('.', '\\.')} eingeladen`))
	).toBeVisible();

	const [mail] = await outbox(email);
	expect(mail.subject).toBe('Einladung ins Team von connecting-thread');
	const link = /https?:\/\/\S+\/auth\/confirm\S+/.exec(mail.text)![0];
	const invitee = await (await browser.newContext()).newPage();
	await invitee.goto(link);
	await expect(invitee.getByRole('heading', { level: 1 })).toHaveText('Willkommen im Team', slow);
	expect(new URL(invitee.url()).pathname).toBe('/de/staff/welcome');
	await invitee.getByLabel('Neues Passwort').fill('facilitator-pass-2026');
	await invitee.getByRole('button', { name: 'Passwort festlegen' }).click();
	await expect(invitee.getByRole('heading', { level: 1 })).toHaveText('Eingereichte Stücke', slow);
	// The password works on its own from now on.
	const again = await signIn(browser, email, 'facilitator-pass-2026');
	await again.goto('/de/staff/workshops');
	await expect(again.getByRole('heading', { level: 1 })).toBeVisible();
	for (const locale of ['de', 'ar']) {
		await page.goto(`/${locale}/staff/team`);
		const axe = await analyzeWcag(page);
		expect(axe.violations, `team ${locale}`).toEqual([]);
	}
});

test('a typo fix is attributed; the participant sees it and gets the decision by mail', async ({
	browser
}) => {
	const maker = await participantWithEmail();
	const title = `Вишиванкка ${unique()}`;
	const pieceId = await submittedPiece(maker.userId, title);
	const staff = await signIn(browser, ...MODERATOR);
	await staff.goto(`/de/staff/pieces/${pieceId}`, { waitUntil: 'networkidle' });
	const correction = staff.getByRole('region', { name: 'Tippfehler korrigieren' });
	await correction.getByText('Text in').first().click();
	await correction.getByRole('textbox', { name: 'Titel' }).fill(title.replace('кк', 'к'));
	await correction.getByRole('button', { name: 'Korrektur speichern' }).click();
	await expect(staff.getByRole('status').filter({ hasText: 'Korrektur gespeichert' })).toBeVisible(
		slow
	);
	const history = staff.getByRole('region', { name: 'Verlauf' });
	await expect(history.getByText('Text korrigiert')).toBeVisible();
	await expect(history.locator('del')).toHaveText(title);

	// Publish with the keyboard shortcut (focus off the correction form first).
	await staff.getByRole('heading', { level: 1 }).click();
	await staff.keyboard.press('p');
	await expect(staff.getByRole('status').filter({ hasText: 'Veröffentlicht' })).toBeVisible(slow);
	expect(await statusOf(pieceId)).toBe('published');
	await expect.poll(async () => (await outbox(maker.email)).length, slow).toBeGreaterThan(0);
	const [mail] = await outbox(maker.email);
	expect(mail.subject).toBe(`«${title.replace('кк', 'к')}» тепер у галереї`);

	const participant = await signIn(browser, maker.email, 'maker-pass-2026');
	await participant.goto('/uk/me');
	const card = participant.getByRole('article', { name: title.replace('кк', 'к') });
	await expect(card.getByRole('heading', { name: 'Відредаговано модераторами' })).toBeVisible(slow);
	await expect(card.locator('ins')).toHaveText(title.replace('кк', 'к'));
});

test('J and K move through the queue; a facilitator bulk-publishes their own workshop', async ({
	browser
}) => {
	const maker = await participantWithEmail();
	const first = await submittedPiece(maker.userId, `Перша ${unique()}`);
	const second = await submittedPiece(maker.userId, `Друга ${unique()}`);
	const staff = await signIn(browser, ...MODERATOR);
	await staff.goto(`/de/staff/pieces/${first}?workshop=${JOHANNSTADT}`, {
		waitUntil: 'networkidle'
	});
	await expect(staff.getByRole('heading', { level: 1 })).toContainText('Prüfen', slow);
	const next = await staff.locator('a[rel="next"]').getAttribute('href');
	// Shortcuts act on the page, not inside a form field: focus the page first.
	await staff.getByRole('heading', { level: 1 }).click();
	await staff.keyboard.press('j');
	await expect(staff).toHaveURL((u) => u.pathname + u.search === next, slow);
	const previous = await staff.locator('a[rel="prev"]').getAttribute('href');
	await staff.getByRole('heading', { level: 1 }).click();
	await staff.keyboard.press('k');
	await expect(staff).toHaveURL((u) => u.pathname + u.search === previous, slow);

	const facilitator = await signIn(browser, ...FACILITATOR);
	await facilitator.goto(`/de/staff?workshop=${JOHANNSTADT}&status=submitted`);
	for (const id of [first, second]) {
		await facilitator.locator(`input[name="piece"][value="${id}"]`).check();
	}
	await facilitator.getByRole('button', { name: /veröffentlichen/i }).click();
	await expect(
		facilitator.getByRole('status').filter({ hasText: '2 veröffentlicht, 0 nicht möglich' })
	).toBeVisible(slow);
	expect(await statusOf(first)).toBe('published');
	expect(await statusOf(second)).toBe('published');
});
