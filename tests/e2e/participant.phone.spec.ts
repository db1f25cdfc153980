/**
 * The participant path on a small, old phone (360 px): join by the demo link in Ukrainian, keep
 * the return ticket, come back with it on a second device, read a moderator's reason in
 * Ukrainian, withdraw a piece; translated errors for a wrong code and for too many tries; axe on
 * the participant pages in German and Arabic.
 */
import { expect as baseExpect, test, type Browser, type Page } from '@playwright/test';
import {
	admin,
	analyzeWcag,
	JOHANNSTADT,
	joinDemo,
	userIdByName,
	violationTargets
} from './support.ts';

test.use({ viewport: { width: 360, height: 740 } });
// Sign-in by ticket makes several auth calls: on a busy two-core CI machine that takes seconds.
test.describe.configure({ timeout: 180_000 });
const expect = baseExpect.configure({ timeout: 20_000 });

/** Joins the demo workshop in `locale` and returns the return ticket shown once. */
async function join(page: Page, locale: string, name: string, submit: string): Promise<string> {
	await joinDemo(page, locale, name, submit);
	const code = page.locator('.code');
	await expect(code).toBeVisible();
	return (await code.innerText()).replace(/[^A-Z0-9]/g, '');
}

/** A piece of `makerId` that a moderator sent back with a reason and a German note. */
async function pieceWithChangesRequested(makerId: string, title: string): Promise<string> {
	const db = admin();
	const id = crypto.randomUUID();
	const steps = [
		() =>
			db
				.from('pieces')
				.insert({ id, workshop_id: JOHANNSTADT, maker_id: makerId, original_language: 'uk' }),
		() => db.from('piece_texts').insert({ piece_id: id, language: 'uk', title }),
		() => db.from('pieces').update({ status: 'submitted' }).eq('id', id),
		() => db.from('pieces').update({ status: 'changes_requested' }).eq('id', id),
		() =>
			db.from('moderation_events').insert({
				piece_id: id,
				action: 'request_changes',
				reason_codes: ['image_quality'],
				note: 'Bitte ein helleres Foto.',
				note_language: 'de',
				from_status: 'submitted',
				to_status: 'changes_requested'
			})
	];
	for (const step of steps) {
		const { error } = await step();
		if (error) throw error;
	}
	return id;
}

async function newPhone(browser: Browser) {
	return browser.newContext({
		viewport: { width: 360, height: 740 },
		isMobile: true,
		hasTouch: true
	});
}

test('join in Ukrainian, come back with the ticket on another phone, withdraw a piece', async ({
	page,
	browser
}) => {
	const name = `Олена ${Date.now().toString(36)}`;
	const ticket = await join(page, 'uk', name, 'Приєднатися');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ви з нами!');
	expect(ticket).toMatch(/^[A-HJ-NP-Z2-9]{20}$/);
	await expect(page.getByRole('img', { name: 'QR-код із вашим кодом повернення' })).toBeVisible();
	await page.getByRole('link', { name: 'Я зберіг(ла) його' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Мої роботи');
	await expect(page.getByText('У вас ще немає робіт.')).toBeVisible();

	const userId = await userIdByName(name);
	await pieceWithChangesRequested(userId, 'Соняшники');

	const other = await newPhone(browser);
	const phone = await other.newPage();
	await phone.goto('/uk/ticket');
	// Typed the way people do: small letters, spaces between groups.
	await phone
		.getByRole('textbox', { name: /Ваш код повернення/ })
		.fill(ticket.toLowerCase().replace(/(.{4})(?!$)/g, '$1 '));
	await phone.getByRole('button', { name: 'Увійти' }).click();
	await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Мої роботи');
	const piece = phone.getByRole('article', { name: 'Соняшники' });
	await expect(piece.getByText('Потрібні зміни')).toBeVisible();
	await expect(
		piece.getByText('Фото надто розмите або темне. Зробіть, будь ласка, нове.')
	).toBeVisible();
	await expect(piece.locator('q[lang="de"]')).toHaveText('Bitte ein helleres Foto.');

	await piece.getByRole('button', { name: 'Відкликати' }).click();
	const dialog = phone.getByRole('dialog', { name: 'Відкликати цю роботу?' });
	await dialog.getByRole('button', { name: 'Відкликати' }).click();
	await expect(piece.getByText('Відкликано')).toBeVisible();
	await expect(piece.getByRole('button', { name: 'Відкликати' })).toHaveCount(0);
	await other.close();
});

test('the seeded participant signs in with a password and reads the reason in Ukrainian', async ({
	page
}) => {
	await page.goto('/uk/signin');
	await page
		.getByRole('textbox', { name: /Ел. пошта/ })
		.first()
		.fill('participant@demo.connecting-thread.test');
	await page.getByLabel(/Пароль/).fill('demo-participant-2026');
	await page.getByRole('button', { name: 'Увійти' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Мої роботи');
	await expect(page.getByRole('article')).toHaveCount(2);
	await expect(
		page.getByText('На фото можна впізнати людей. Обріжте фото або попросіть їхньої згоди.')
	).toBeVisible();
	await expect(page.locator('q[lang="en"]')).toContainText('two other participants');
	await expect(page.getByRole('link', { name: 'Змінити й надіслати знову' })).toBeVisible();
});

test('a wrong join code and a wrong ticket are explained in Ukrainian', async ({ page }) => {
	await page.goto('/uk/join/NOT-A-REAL-CODE');
	await expect(page.getByRole('alert')).toHaveText(
		'Цей код майстерні не працює. Перевірте код або зверніться до ведучої майстерні.'
	);
	await page.goto('/uk/ticket');
	await page.getByRole('textbox', { name: /Ваш код повернення/ }).fill('AAAA-BBBB-CCCC-DDDD-EEEE');
	await page.getByRole('button', { name: 'Увійти' }).click();
	await expect(page.getByText(/Цей код не працює/)).toBeVisible();
});

for (const locale of ['de', 'ar'] as const) {
	const analyze = async (page: Page, label: string) => {
		const results = await analyzeWcag(page);
		expect(violationTargets(results), label).toEqual([]);
	};

	for (const path of ['/join/FADEN-2026-DEMO', '/ticket', '/signin']) {
		test(`axe: /${locale}${path} has no violations`, async ({ page }) => {
			await page.goto(`/${locale}${path}`);
			await analyze(page, path);
		});
	}

	test(`axe: the ticket, My pieces and a new ticket have no violations (${locale})`, async ({
		page
	}) => {
		const submit = locale === 'de' ? 'Mitmachen' : 'انضمام';
		await join(page, locale, `axe ${locale} ${Date.now().toString(36)}`, submit);
		await analyze(page, 'ticket shown');
		await page.goto(`/${locale}/me`);
		await analyze(page, '/me');
		await page.goto(`/${locale}/me/ticket`);
		await analyze(page, '/me/ticket');
	});
}

// Last: it empties this address's ticket bucket for a few minutes.
test('too many ticket tries get a translated "wait" message', async ({ page, baseURL }) => {
	let limited = false;
	for (let i = 0; i < 40 && !limited; i++) {
		const response = await page.request.post('/uk/ticket', {
			form: { code: `WRONG-${i}` },
			// As a browser without JavaScript posts the form (else the status comes as JSON).
			headers: { origin: baseURL!, accept: 'text/html' }
		});
		limited = response.status() === 429;
	}
	expect(limited).toBe(true);
	await page.goto('/uk/ticket');
	const wait = page.getByText('Забагато спроб. Зачекайте кілька хвилин.');
	// The bucket refills two tokens a minute, so one more try may still be let through.
	for (let i = 0; i < 3 && !(await wait.isVisible()); i++) {
		await page
			.getByRole('textbox', { name: /Ваш код повернення/ })
			.fill('AAAA-BBBB-CCCC-DDDD-EEEE');
		await page.getByRole('button', { name: 'Увійти' }).click();
		await page.waitForLoadState('networkidle');
	}
	await expect(wait).toBeVisible();
});
