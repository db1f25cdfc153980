/**
 * A participant's account on a phone: adding an email address and a password on /me and signing
 * in with them on another phone; and, with JavaScript switched off, withdrawing and deleting a
 * piece and deleting the account, each confirmed with a required checkbox instead of a dialog.
 */
import { expect as baseExpect, test, type Browser, type Page } from '@playwright/test';
import { admin, JOHANNSTADT, joinDemo, userIdByName } from './support.ts';

test.use({ viewport: { width: 360, height: 740 } });
test.describe.configure({ timeout: 180_000 });
const expect = baseExpect.configure({ timeout: 20_000 });

function phone(browser: Browser, javaScriptEnabled = true) {
	return browser.newContext({
		viewport: { width: 360, height: 740 },
		isMobile: true,
		hasTouch: true,
		javaScriptEnabled
	});
}

/** Joins the demo workshop in English under a unique name and returns that name. */
async function join(page: Page): Promise<string> {
	const name = `Mira ${crypto.randomUUID().slice(0, 6)}`;
	await joinDemo(page, 'en', name, 'Join');
	// Joining makes an anonymous sign-in, a membership and a ticket: slow on a busy machine.
	await expect(page.locator('.code')).toBeVisible({ timeout: 60_000 });
	return name;
}

async function draftPiece(makerId: string, title: string): Promise<string> {
	const db = admin();
	const id = crypto.randomUUID();
	const piece = await db
		.from('pieces')
		.insert({ id, workshop_id: JOHANNSTADT, maker_id: makerId, original_language: 'en' });
	if (piece.error) throw piece.error;
	const text = await db.from('piece_texts').insert({ piece_id: id, language: 'en', title });
	if (text.error) throw text.error;
	return id;
}

test('adds an email and a password on /me, then signs in with them on another phone', async ({
	browser
}) => {
	const first = await phone(browser);
	const page = await first.newPage();
	await join(page);
	await page.goto('/en/me');
	const email = `mira-${crypto.randomUUID().slice(0, 8)}@example.test`;
	const password = 'three red threads in the wind';
	await page.getByRole('textbox', { name: /^Email/ }).fill(email);
	await page.getByLabel('New password').fill(password);
	await page.getByLabel('Repeat the password').fill('another sentence entirely');
	await page.getByRole('button', { name: 'Save email and password' }).click();
	await expect(page.getByText('The two passwords are not the same.')).toBeVisible();
	await page.getByLabel('New password').fill(password);
	await page.getByLabel('Repeat the password').fill(password);
	await page.getByRole('button', { name: 'Save email and password' }).click();
	await expect(page.getByRole('status').filter({ hasText: email })).toBeVisible();
	await first.close();

	const second = await phone(browser);
	const other = await second.newPage();
	await other.goto('/en/signin');
	const form = other.getByRole('form', { name: 'With email and password' });
	await form.getByRole('textbox', { name: /^Email/ }).fill(email);
	await form.getByLabel(/^Password/).fill(password);
	await form.getByRole('button', { name: 'Sign in', exact: true }).click();
	await expect(other).toHaveURL(/\/en\/me$/);
	await expect(other.getByText(`You sign in with ${email}.`)).toBeVisible();
	await second.close();
});

test('without JavaScript, withdrawing, deleting a piece and deleting the account ask for a tick', async ({
	browser
}) => {
	const context = await phone(browser, false);
	const page = await context.newPage();
	const name = await join(page);
	const userId = await userIdByName(name);
	await draftPiece(userId, 'Blue sampler');
	await draftPiece(userId, 'Red sampler');
	await page.goto('/en/me');

	const blue = page.locator('article', { hasText: 'Blue sampler' });
	const withdraw = blue
		.locator('details')
		.filter({ has: page.locator('summary', { hasText: 'Withdraw' }) });
	await withdraw.locator('summary').click();
	// The box is required: without it the browser does not send the form.
	await withdraw.getByRole('button', { name: 'Withdraw' }).click();
	await expect(page).toHaveURL(/\/en\/me$/);
	await withdraw.getByLabel('Yes, I am sure').check();
	await withdraw.getByRole('button', { name: 'Withdraw' }).click();
	await expect(
		page.getByRole('status').filter({ hasText: 'The piece was withdrawn.' })
	).toBeVisible();

	const red = page.locator('article', { hasText: 'Red sampler' });
	const remove = red
		.locator('details')
		.filter({ has: page.locator('summary', { hasText: 'Delete' }) });
	await remove.locator('summary').click();
	await remove.getByLabel('Yes, I am sure').check();
	await remove.getByRole('button', { name: 'Delete' }).click();
	await expect(
		page.getByRole('status').filter({ hasText: 'The piece was deleted.' })
	).toBeVisible();
	await expect(page.getByText('Red sampler')).toHaveCount(0);

	const account = page.locator('details', { hasText: 'Delete my account' });
	await account.locator('summary').click();
	await account.getByLabel('Yes, I am sure').check();
	await account.getByRole('button', { name: 'Yes, delete everything' }).click();
	await expect(page.getByRole('heading', { name: 'Your account was deleted.' })).toBeVisible();
	const { data } = await admin().auth.admin.getUserById(userId);
	expect(data.user).toBeNull();
	await context.close();
});
