/**
 * Operations on a system of its own: a Postgres server this spec may stop (initdb in a temp
 * folder, loopback), the local stack on it in this process (its JSON log lines collected) and one
 * production app instance (`node server.js`, its stdout collected).
 *
 * - One request is followed by its `x-request-id` from the app's log line into the stack's, and
 *   neither log holds a password, email, token, key, ticket, search term or address.
 * - The database is stopped under load: every visitor gets a 200 or a 503 with the "back in a
 *   moment" text in their language (page and JSON), /readyz says unavailable, nothing crashes;
 *   when the database is back, the app answers again without being restarted.
 *
 * Ports: E2E_PORT + 30..32 (4440–4442 for the ops worktree).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { PUBLISHABLE_KEY, SECRET_KEY } from '../../supabase/local/src/core/keys.ts';
import { startStack, type RunningStack } from '../../supabase/local/src/stack.ts';
import {
	postgresBinDir,
	startPostgresServer,
	type PostgresServer
} from '../helpers/postgres-server.ts';
import { DEMO_JOIN_CODE, MODERATOR, submitSignIn } from './support.ts';

const messages = (locale: string) =>
	JSON.parse(readFileSync(`src/lib/i18n/messages/ops/${locale}.json`, 'utf8')) as Record<
		string,
		string
	>;

const base = Number(process.env.E2E_PORT ?? 4173) + 30;
const ports = { db: base, stack: base + 1, app: base + 2 };
const appUrl = `http://127.0.0.1:${ports.app}`;

let db: PostgresServer;
let stack: RunningStack;
let app: ChildProcess;
let dataDir: string;
const appLines: string[] = [];
const stackLines: string[] = [];

/** The JSON lines of a log (adapter-node's own "Listening on" line is not one). */
function entries(lines: string[]): Record<string, unknown>[] {
	return lines.flatMap((line) => {
		try {
			const parsed: unknown = JSON.parse(line);
			return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
		} catch {
			return [];
		}
	});
}

async function ready(request: APIRequestContext): Promise<number> {
	return request
		.get(`${appUrl}/readyz`)
		.then((r) => r.status())
		.catch(() => 0);
}

test.skip(!postgresBinDir(), 'needs the Postgres server binaries (CI installs postgresql-15)');
test.describe.configure({ mode: 'serial', timeout: 180_000 });

test.beforeAll(async ({ playwright }) => {
	test.setTimeout(180_000);
	db = await startPostgresServer(ports.db);
	dataDir = mkdtempSync(join(tmpdir(), 'ct-ops-stack-'));
	stack = await startStack({
		projectDir: resolve('supabase'),
		port: ports.stack,
		dataDir,
		databaseUrl: db.url,
		jsonLog: (line) => stackLines.push(line)
	});
	app = spawn(process.execPath, ['server.js'], {
		env: {
			...process.env,
			PORT: String(ports.app),
			HOST: '127.0.0.1',
			ORIGIN: appUrl,
			PUBLIC_SUPABASE_URL: stack.url,
			PUBLIC_SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
			SUPABASE_SECRET_KEY: SECRET_KEY,
			SWEEP_INTERVAL_MINUTES: '0',
			DIGEST_INTERVAL_MINUTES: '0'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let partial = '';
	const collect = (chunk: Buffer) => {
		const text = partial + chunk.toString('utf8');
		const lines = text.split('\n');
		partial = lines.pop() ?? '';
		appLines.push(...lines);
	};
	app.stdout?.on('data', collect);
	app.stderr?.on('data', collect);
	const request = await playwright.request.newContext();
	await expect.poll(() => ready(request), { timeout: 60_000 }).toBe(200);
	await request.dispose();
});

test.afterAll(async () => {
	// Both logs stay beside the test results, for a failure to be read.
	mkdirSync('test-results', { recursive: true });
	writeFileSync('test-results/ops-app.log', `${appLines.join('\n')}\n`);
	writeFileSync('test-results/ops-stack.log', `${stackLines.join('\n')}\n`);
	app?.kill('SIGTERM');
	await stack?.close();
	await db?.destroy();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('one request is followed by its id from the app into the stack, and no log holds a secret', async ({
	page,
	request
}) => {
	const id = `ops-e2e-${Date.now().toString(36)}`;
	const answer = await request.get(`${appUrl}/de/gallery`, { headers: { 'x-request-id': id } });
	expect(answer.status()).toBe(200);
	expect(answer.headers()['x-request-id']).toBe(id);

	await expect
		.poll(() => entries(appLines).filter((e) => e.request_id === id && e.msg === 'request'), {
			timeout: 30_000
		})
		.toHaveLength(1);
	const [line] = entries(appLines).filter((e) => e.request_id === id && e.msg === 'request');
	expect(line).toMatchObject({ level: 'info', method: 'GET', route: '/gallery', status: 200 });
	expect(typeof line.duration_ms).toBe('number');
	expect(typeof line.time).toBe('string');
	// The gallery's queries reached the stack with the same id.
	const inStack = entries(stackLines).filter((e) => e.request_id === id && e.msg === 'request');
	expect(inStack.length).toBeGreaterThan(0);
	expect(inStack.every((e) => String(e.path).startsWith('/'))).toBe(true);
	expect(inStack.map((e) => e.path)).toContainEqual(expect.stringMatching(/^\/rest\/v1\//));

	// An id that is not sane is replaced, not logged.
	const insane = 'x y {"level":"error"}';
	const other = await request.get(`${appUrl}/de/`, { headers: { 'x-request-id': insane } });
	expect(other.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
	expect(appLines.join('\n')).not.toContain('{"level":"error"}');

	// Requests that carry secrets: a search term and a token in the query, a join code in the
	// path, and a staff sign-in (email, password, then session cookies on every request).
	await request.get(`${appUrl}/de/gallery?q=geheimsuche&token=tok-secret-123`);
	await request.get(`${appUrl}/de/join/${DEMO_JOIN_CODE}`);
	await page.goto(`${appUrl}/de/signin`, { waitUntil: 'networkidle' });
	await submitSignIn(page, ...MODERATOR);
	await page.goto(`${appUrl}/de/staff`);
	const cookies = await page.context().cookies();
	const session = cookies.find((c) => c.name.includes('auth-token'));
	expect(session).toBeDefined();

	await expect
		.poll(() => entries(appLines).filter((e) => e.route === '/staff' && e.msg === 'request'), {
			timeout: 30_000
		})
		.not.toHaveLength(0);
	const logs = [
		...entries(appLines).map((e) => JSON.stringify(e)),
		...entries(stackLines).map((e) => JSON.stringify(e))
	].join('\n');
	const secrets = [
		MODERATOR[0],
		MODERATOR[1],
		'geheimsuche',
		'tok-secret-123',
		DEMO_JOIN_CODE,
		SECRET_KEY,
		PUBLISHABLE_KEY,
		session!.value.slice(0, 40),
		'127.0.0.1',
		'eyJ'
	];
	for (const secret of secrets) expect(logs, secret).not.toContain(secret);
	expect(logs).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b/);
	expect(logs).not.toMatch(/@[\w-]+\.[a-z]{2,}/);
});

test('the database restarted under load: 503 in the visitor’s language, then recovery by itself', async ({
	request
}) => {
	const paths = ['/de/gallery', '/ar/gallery', '/en/stories', '/fa/', '/uk/gallery/more?page=1'];
	const answers: { status: number; path: string }[] = [];
	let stop = false;
	const visitor = async (v: number) => {
		for (let i = v; !stop; i++) {
			// Every other request has a URL of its own, so the page cache cannot answer it: on an
			// idle machine the cached pages alone would carry the visitors through the outage.
			const page = paths[Math.floor(i / 2) % paths.length];
			const path = i % 2 === 0 ? page : `${page}${page.includes('?') ? '&' : '?'}visit=${v}-${i}`;
			const status = await request
				.get(`${appUrl}${path}`, { headers: { accept: 'text/html' }, timeout: 30_000 })
				.then((r) => r.status())
				.catch(() => 0);
			answers.push({ status, path });
		}
	};
	const visitors = Array.from({ length: 4 }, (_, v) => visitor(v));
	await expect.poll(() => answers.length, { timeout: 60_000 }).toBeGreaterThan(8);
	const pid = app.pid;

	await db.stop();
	await expect.poll(() => ready(request), { timeout: 30_000 }).toBe(503);
	const readyz = await request.get(`${appUrl}/readyz`);
	expect(await readyz.json()).toMatchObject({
		status: 'unavailable',
		checks: { database: 'failed' }
	});

	// A page, in German and Arabic.
	for (const locale of ['de', 'ar'] as const) {
		const t = messages(locale);
		const id = `ops-outage-${locale}-${Date.now().toString(36)}`;
		// A URL of its own: no cached copy of it can answer.
		const answer = await request.get(`${appUrl}/${locale}/gallery?outage=${id}`, {
			headers: { accept: 'text/html', 'x-request-id': id }
		});
		expect(answer.status()).toBe(503);
		const html = await answer.text();
		expect(html).toContain(t.ops_unavailable_title);
		expect(html).toContain(t.ops_unavailable_text);
		expect(html).toContain(`lang="${locale}"`);
		// The failure is in the log under the same id, as a warning, not an unexpected error.
		await expect
			.poll(
				() =>
					entries(appLines)
						.filter((e) => e.request_id === id)
						.map((e) => [e.level, e.msg, e.status]),
				{ timeout: 30_000 }
			)
			.toEqual(
				expect.arrayContaining([
					['warn', 'database unavailable', undefined],
					['warn', 'request', 503]
				])
			);
	}
	// The JSON variant, in English and Ukrainian.
	for (const locale of ['en', 'uk'] as const) {
		const answer = await request.get(`${appUrl}/${locale}/gallery/more?page=1`, {
			headers: { accept: 'application/json' }
		});
		expect(answer.status()).toBe(503);
		expect(await answer.json()).toMatchObject({
			code: 'service_unavailable',
			message: messages(locale).ops_unavailable_text
		});
	}
	const duringOutage = answers.length;
	await expect.poll(() => answers.length, { timeout: 60_000 }).toBeGreaterThan(duringOutage + 8);

	await db.start();
	await expect.poll(() => ready(request), { timeout: 60_000 }).toBe(200);
	const back = await request.get(`${appUrl}/de/gallery`, { headers: { accept: 'text/html' } });
	expect(back.status()).toBe(200);
	const afterRecovery = answers.length;
	await expect.poll(() => answers.length, { timeout: 60_000 }).toBeGreaterThan(afterRecovery + 8);
	stop = true;
	await Promise.all(visitors);

	// Every visitor was answered, with a page or a 503, never a 500 or a dropped connection.
	expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
	expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
	// (A visitor's request under way at the snapshot may have met the outage.)
	expect(answers.slice(afterRecovery + 4).filter((a) => a.status !== 200)).toEqual([]);
	// The same app process throughout: it recovered by itself.
	expect(app.exitCode).toBeNull();
	expect(app.pid).toBe(pid);
});
