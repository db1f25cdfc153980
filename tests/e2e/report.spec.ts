/**
 * The funder report through the real app, stack and Chromium: a moderator opens it in German and
 * Arabic and sees the seed's figures for the Prohlis workshop (closed to joining, so no other spec
 * adds to it) with "< 5" and "hidden" where the database suppressed them, downloads the CSV and
 * parses it back, opens the print view; bad input gets a translated message; facilitators are
 * refused. Axe on the page in both languages.
 */
import { parse } from 'csv-parse/sync';
import { expect, test, type Browser, type Page } from '@playwright/test';
import {
	ADMIN,
	analyzeWcag,
	FACILITATOR,
	MODERATOR,
	submitSignIn,
	violationTargets
} from './support.ts';

test.describe.configure({ timeout: 180_000 });
test.use({ actionTimeout: 30_000 });

const PROHLIS = '10000000-0000-4000-8000-000000000003';
const PROJECT = 'from=2026-06-01&to=2026-12-31';

async function signIn(browser: Browser, account: readonly [string, string]): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await page.goto('/de/signin?next=/de/staff', { waitUntil: 'networkidle' });
	await submitSignIn(page, ...account);
	await page.goto('/de/staff');
	return page;
}

/** The figure cell of the row labelled `label` in the table captioned `caption`. */
const cell = (page: Page, caption: string, label: string) =>
	page
		.getByRole('table', { name: caption })
		.getByRole('row', { name: new RegExp(`^${label.replace(/[()]/g, '\\$&')}`) })
		.getByRole('cell');

test('a moderator reads the report in German, downloads the CSV and prints it', async ({
	browser
}) => {
	const page = await signIn(browser, MODERATOR);
	await page
		.getByRole('navigation', { name: 'Bereich für Mitarbeitende' })
		.getByRole('link', { name: 'Bericht' })
		.click();
	await expect(page.getByRole('heading', { level: 1, name: 'Bericht für Förderer' })).toBeVisible();
	// The default period is the project period from the settings.
	await expect(page.getByLabel('Von', { exact: true })).toHaveValue('2026-06-01');
	await expect(page.getByLabel('Bis', { exact: true })).toHaveValue('2026-12-31');
	await expect(page.getByText('Zeitraum: 1. Juni 2026 bis 31. Dezember 2026')).toBeVisible();

	await page.getByRole('combobox', { name: /^Workshop/ }).selectOption(PROHLIS);
	await page.getByRole('button', { name: 'Anzeigen' }).click();
	await expect(page).toHaveURL(new RegExp(`workshop=${PROHLIS}`));
	const pieces = 'Im Zeitraum eingereichte Stücke';
	await expect(cell(page, 'Workshops', 'Termine')).toHaveText('8');
	await expect(cell(page, 'Workshops', 'Durchgeführte Workshops')).toHaveText('< 5');
	await expect(cell(page, 'Workshops', 'Teilnehmende')).toHaveText('< 5');
	await expect(cell(page, pieces, 'Eingereicht')).toHaveText('8');
	await expect(cell(page, pieces, 'Davon jetzt in der Galerie')).toHaveText('verdeckt');
	await expect(cell(page, pieces, 'Davon mit Sprachaufnahme')).toHaveText('< 5');
	const consent = 'Einwilligungen nach Verwendung (von diesen Stücken)';
	await expect(cell(page, consent, 'Soziale Medien')).toHaveText('< 5');
	const languages = 'Sprachen der Titel und Bildtexte (Stücke je Sprache)';
	await expect(cell(page, languages, 'Deutsch (de)')).toHaveText('5');
	await expect(cell(page, languages, 'Weitere Sprachen')).toHaveText('7');
	// The chart is an image with a name and a description; its figures are the table's.
	await expect(page.getByRole('img', { name: 'Stücke im Zeitraum' })).toBeVisible();

	expect(violationTargets(await analyzeWcag(page))).toEqual([]);

	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('link', { name: 'Als CSV herunterladen' }).click()
	]);
	expect(download.suggestedFilename()).toBe('report-2026-06-01-2026-12-31.csv');
	const bytes = await (await download.createReadStream()).toArray();
	const text = Buffer.concat(bytes as Buffer[]).toString('utf8');
	expect(text.startsWith('\uFEFF')).toBe(true);
	expect(text).toContain('\r\n');
	const records = parse(text, { bom: true }) as string[][];
	expect(records[0]).toEqual(['Bereich', 'Angabe', 'Zahl']);
	const value = (item: string) => records.find((r) => r[1] === item)?.[2];
	expect(value('Von')).toBe('2026-06-01');
	expect(value('Workshop')).toBe('Nähcafé Prohlis');
	expect(value('Eingereicht')).toBe('8');
	expect(value('Teilnehmende (verschiedene Personen)')).toBe('< 5');
	expect(value('Davon jetzt in der Galerie')).toBe('verdeckt');
	expect(value('Deutsch (de)')).toBe('5');
	// Never a name: nobody's display name from the seed appears in the file.
	for (const name of ['Karin', 'Samir', 'D. O.']) expect(text).not.toContain(name);

	await page.getByRole('link', { name: 'Druckansicht (A4)' }).click();
	await page.waitForURL(/\/de\/staff\/report\/print\?/);
	// Loaded afresh, as a browser opening the link in a new tab would.
	await page.goto(page.url());
	await expect(
		page.getByText('connecting thread – Verbindende Fäden', { exact: true })
	).toBeVisible();
	await expect(page.getByText(/Gefördert von: Sparkassen-Stiftung \(Beispiel\)/)).toBeVisible();
	await expect(page.getByRole('img', { name: 'Stücke im Zeitraum' })).toBeVisible();
	// Server HTML only: no client app on the print view.
	expect(await page.locator('script[type="module"]').count()).toBe(0);
	// The bars are drawn as SVG by the server, one per figure of the chart.
	expect(await page.locator('.chart svg rect').count()).toBe(
		await page.locator('.chart .row').count()
	);
	expect(await page.locator('.chart .row').count()).toBeGreaterThan(3);
	await page.emulateMedia({ media: 'print' });
	await expect(page.getByRole('navigation', { name: 'Bereich für Mitarbeitende' })).toBeHidden();
	await expect(cell(page, pieces, 'Eingereicht')).toHaveText('8');
	await page.context().close();
});

test('the report in Arabic: right to left, Arabic labels and locale numbers', async ({
	browser
}) => {
	const page = await signIn(browser, MODERATOR);
	await page.goto(`/ar/staff/report?${PROJECT}&workshop=${PROHLIS}`);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(page.getByRole('heading', { level: 1, name: 'تقرير للجهات المموِّلة' })).toBeVisible();
	const eight = new Intl.NumberFormat('ar').format(8);
	const small = `< ${new Intl.NumberFormat('ar').format(5)}`;
	await expect(cell(page, 'الورش', 'الجلسات')).toHaveText(eight);
	await expect(cell(page, 'الورش', 'المشاركون')).toHaveText(small);
	await expect(cell(page, 'القطع المقدَّمة خلال الفترة', 'منها معروضة الآن')).toHaveText('مخفي');
	expect(violationTargets(await analyzeWcag(page))).toEqual([]);

	await page.getByRole('link', { name: 'عرض الطباعة (A4)' }).click();
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(page.getByRole('img', { name: 'القطع خلال الفترة' })).toBeVisible();
	await page.context().close();
});

test('bad input gets a translated message, never an error page', async ({ browser }) => {
	const page = await signIn(browser, MODERATOR);
	const cases: [string, string][] = [
		[
			'/de/staff/report?from=2026-12-31&to=2026-01-01',
			'Das Ende des Zeitraums liegt vor seinem Anfang.'
		],
		[
			'/de/staff/report?from=2026-02-31&to=2026-03-01',
			'Bitte gültige Daten angeben (Tag, Monat, Jahr).'
		],
		[
			'/de/staff/report?from=1900-01-01&to=2099-12-31',
			'Der Zeitraum ist zu lang: höchstens zehn Jahre.'
		],
		[
			`/ar/staff/report?${PROJECT}&workshop=10000000-0000-4000-8000-000000000999`,
			'لا توجد ورشة كهذه.'
		],
		[`/fa/staff/report?${PROJECT}&workshop=not-a-uuid`, 'چنین کارگاهی وجود ندارد.'],
		[`/uk/staff/report?${PROJECT}&venue=Nirgendwo`, 'Такого місця немає.']
	];
	for (const [path, message] of cases) {
		const response = await page.goto(path);
		expect(response?.status(), path).toBe(200);
		await expect(page.getByRole('alert')).toHaveText(message);
		// The form stays usable with what was asked.
		await expect(page.getByRole('button', { name: /Anzeigen|عرض|نمایش|Показати/ })).toBeVisible();
	}
	const csv = await page.request.get('/en/staff/report/csv?from=2026-12-31&to=2026-01-01');
	expect(csv.status()).toBe(400);
	expect(await csv.text()).toBe('The end of the period is before its start.');
	await page.context().close();
});

test('facilitators have no report and no link to it', async ({ browser }) => {
	const page = await signIn(browser, FACILITATOR);
	await expect(page.getByRole('navigation', { name: 'Bereich für Mitarbeitende' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Bericht' })).toHaveCount(0);
	expect((await page.goto('/de/staff/report'))?.status()).toBe(403);
	expect((await page.request.get(`/de/staff/report/csv?${PROJECT}`)).status()).toBe(403);
	await page.context().close();
});

test('an admin sets the project period, which becomes the report default', async ({ browser }) => {
	const page = await signIn(browser, ADMIN);
	await page.goto('/en/staff/settings');
	const project = page.getByRole('region', { name: 'Project and report' });
	const save = async (start: string, end: string, funders: string) => {
		await project.getByLabel('Project start').fill(start);
		await project.getByLabel('Project end').fill(end);
		await project.getByLabel('Funders (one per line)').fill(funders);
		await project.getByRole('button', { name: 'Save project' }).click();
	};
	const before = await project.getByLabel('Funders (one per line)').inputValue();
	await save('2026-12-31', '2026-01-01', before);
	await expect(project.getByRole('alert')).toContainText('end not before start');
	await save('2026-09-01', '2026-09-30', 'Stiftung Nord\nProgramm Süd');
	await expect(project.getByRole('status')).toHaveText('Project details saved.');
	await page.goto('/en/staff/report');
	await expect(page.getByLabel('From', { exact: true })).toHaveValue('2026-09-01');
	await expect(page.getByText('Period: September 1, 2026 to September 30, 2026')).toBeVisible();
	await page.goto('/en/staff/report/print');
	await expect(page.getByText('Funded by: Stiftung Nord · Programm Süd')).toBeVisible();
	// Back to the seed's values for the other specs.
	await page.goto('/en/staff/settings');
	await save('2026-06-01', '2026-12-31', before);
	await expect(project.getByRole('status')).toBeVisible();
	await page.context().close();
});
