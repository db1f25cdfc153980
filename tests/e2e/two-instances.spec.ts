/**
 * Two app instances on the same local stack behind a small round-robin proxy (node:http, loopback
 * only), as a host's load balancer runs them: a visitor's rate limit is one limit whichever
 * instance answers, a piece withdrawn through instance A is gone from instance B's next response
 * after the shared cache bound, health and readiness answer on each instance, and when instance A
 * is killed under load every visitor is still answered (by B). A photo whose upload began on a
 * page served by A and resumed on a page served by B is stored once, byte for byte.
 *
 * The instances are the production build (`node server.js`) started here with the same ORIGIN
 * (the proxy's URL, the public address) and `ADDRESS_HEADER=x-forwarded-for`, which the proxy
 * sets from the test's `x-test-client` header, so each test is its own visitor. `x-test-instance:
 * A|B` pins a request to one instance; the proxy says in `x-instance` which one answered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { expect, test, type APIRequestContext, type Route } from '@playwright/test';
import sharp from 'sharp';
import { PUBLISHABLE_KEY, SECRET_KEY } from '../../supabase/local/src/core/keys.ts';
import {
	admin,
	check,
	joinDemo,
	stackUrl,
	submittedPiece,
	unique,
	userIdByName
} from './support.ts';

const t = JSON.parse(readFileSync('src/lib/i18n/messages/participant/en.json', 'utf8')) as Record<
	string,
	string
>;
const p = JSON.parse(readFileSync('src/lib/i18n/messages/piece/en.json', 'utf8')) as Record<
	string,
	string
>;

const base = Number(process.env.E2E_PORT ?? 4173) + 20;
const ports = { A: base, B: base + 1 };
const proxyPort = base + 2;
const proxyUrl = `http://localhost:${proxyPort}`;
/** How long one instance may still serve what another changed (the shared version's max age). */
const SHARED_CACHE_BOUND_MS = 1000;

type Name = keyof typeof ports;
const instances: ChildProcess[] = [];
let proxy: Server;

function startInstance(name: Name): ChildProcess {
	const child = spawn(process.execPath, ['server.js'], {
		env: {
			...process.env,
			PORT: String(ports[name]),
			HOST: '127.0.0.1',
			ORIGIN: proxyUrl,
			ADDRESS_HEADER: 'x-forwarded-for',
			XFF_DEPTH: '1',
			PUBLIC_SUPABASE_URL: stackUrl,
			PUBLIC_SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
			SUPABASE_SECRET_KEY: SECRET_KEY,
			BODY_SIZE_LIMIT: '30M',
			// One sweeper per project is enough: the suite's own instance runs it.
			SWEEP_INTERVAL_MINUTES: '0'
		},
		stdio: ['ignore', 'ignore', 'inherit']
	});
	instances.push(child);
	return child;
}

/**
 * Round robin over A and B, unless `x-test-instance` names one. Like nginx's
 * `proxy_next_upstream error`, a GET or HEAD whose instance refuses or drops the connection
 * before answering is sent to the other one.
 */
function startProxy(): Promise<Server> {
	let next = 0;
	const names: Name[] = ['A', 'B'];
	const server = createServer((req, res) => {
		const pinned = req.headers['x-test-instance'];
		const first: Name = pinned === 'A' || pinned === 'B' ? pinned : names[next++ % 2];
		const client = String(req.headers['x-test-client'] ?? '198.51.100.254');
		const { 'x-test-client': _client, 'x-test-instance': _instance, ...forwarded } = req.headers;
		const headers = { ...forwarded, 'x-forwarded-for': client };
		const idempotent = req.method === 'GET' || req.method === 'HEAD';
		const send = (name: Name, retry: boolean) => {
			const upstream = httpRequest(
				{ host: '127.0.0.1', port: ports[name], method: req.method, path: req.url, headers },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-instance': name });
					answer.pipe(res);
				}
			);
			upstream.on('error', () => {
				if (retry && !res.headersSent) send(name === 'A' ? 'B' : 'A', false);
				else if (!res.headersSent) res.writeHead(502).end();
				else res.destroy();
			});
			if (idempotent) upstream.end();
			else req.pipe(upstream);
		};
		send(first, idempotent && !pinned);
	});
	return new Promise((resolve) => server.listen(proxyPort, '127.0.0.1', () => resolve(server)));
}

async function waitUntilUp(request: APIRequestContext, name: Name): Promise<void> {
	for (let i = 0; i < 150; i++) {
		const up = await request
			.get(`http://127.0.0.1:${ports[name]}/healthz`)
			.then((r) => r.ok())
			.catch(() => false);
		if (up) return;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`instance ${name} did not start`);
}

test.describe.configure({ mode: 'serial', timeout: 120_000 });

test.beforeAll(async ({ playwright }) => {
	startInstance('A');
	startInstance('B');
	proxy = await startProxy();
	const request = await playwright.request.newContext();
	await waitUntilUp(request, 'A');
	await waitUntilUp(request, 'B');
	await request.dispose();
});

test.afterAll(async () => {
	for (const child of instances) child.kill('SIGTERM');
	proxy?.closeAllConnections();
	await new Promise((resolve) => proxy?.close(resolve));
});

test('health and readiness answer on each instance, uncached and without secrets', async ({
	request
}) => {
	for (const name of ['A', 'B'] as const) {
		const health = await request.get(`${proxyUrl}/healthz`, {
			headers: { 'x-test-instance': name }
		});
		expect(health.status()).toBe(200);
		expect(await health.json()).toEqual({ status: 'ok' });
		const ready = await request.get(`${proxyUrl}/readyz`, { headers: { 'x-test-instance': name } });
		expect(ready.status()).toBe(200);
		expect(ready.headers()['x-instance']).toBe(name);
		expect(ready.headers()['cache-control']).toBe('no-store');
		expect(ready.headers()['x-cache']).toBeUndefined();
		const body = await ready.text();
		expect(JSON.parse(body)).toEqual({
			status: 'ready',
			checks: { database: 'ok', storage: 'ok' }
		});
		for (const secret of [SECRET_KEY, stackUrl, '127.0.0.1']) expect(body).not.toContain(secret);
	}
});

test("a visitor's search limit is the same whichever instance answers", async ({ request }) => {
	// rateLimits.search: 40 at once, then one every 3 s. 70 searches of one visitor, in bursts of
	// ten over both instances: one shared bucket lets 40 (plus what it regained meanwhile) through,
	// two separate ones would let about 80.
	const client = `203.0.113.${Math.floor(Math.random() * 200) + 20}`;
	const started = Date.now();
	const answers = [];
	for (let burst = 0; burst < 7; burst++) {
		answers.push(
			...(await Promise.all(
				Array.from({ length: 10 }, (_, i) =>
					request.get(`${proxyUrl}/de/gallery?q=${encodeURIComponent(`faden ${burst}-${i}`)}`, {
						headers: { 'x-test-client': client }
					})
				)
			))
		);
	}
	const regained = Math.ceil((Date.now() - started) / 3000);
	const served = answers.filter((r) => r.status() === 200);
	const refused = answers.filter((r) => r.status() === 429);
	expect(served.length + refused.length).toBe(70);
	expect(served.length).toBeGreaterThanOrEqual(40);
	expect(served.length).toBeLessThanOrEqual(40 + regained);
	// Both instances refused once the one bucket was empty.
	expect(new Set(refused.map((r) => r.headers()['x-instance']))).toEqual(new Set(['A', 'B']));
	// Another visitor behind the same proxy is unaffected.
	const other = await request.get(`${proxyUrl}/de/gallery?q=faden`, {
		headers: { 'x-test-client': '203.0.113.7' }
	});
	expect(other.status()).toBe(200);
});

test("a piece withdrawn through instance A is gone from instance B's next response", async ({
	browser,
	request
}) => {
	const name = `Zwei ${unique()}`;
	const title = `Два екземпляри ${unique()}`;
	// The participant's every request goes to instance A.
	const context = await browser.newContext({
		baseURL: proxyUrl,
		extraHTTPHeaders: { 'x-test-instance': 'A' }
	});
	const participant = await context.newPage();
	await joinDemo(participant, 'en', name, t.participant_join_submit);
	await expect(participant.locator('.code')).toBeVisible({ timeout: 30_000 });
	const pieceId = await submittedPiece(await userIdByName(name), title);
	await check(
		admin()
			.from('pieces')
			.update({ status: 'published', published_at: new Date().toISOString() })
			.eq('id', pieceId)
	);

	const onB = () =>
		request.get(`${proxyUrl}/en/pieces/${pieceId}`, {
			headers: { accept: 'text/html', 'x-test-instance': 'B' }
		});
	await onB();
	const cached = await onB();
	expect(cached.status()).toBe(200);
	expect(cached.headers()['x-cache']).toBe('hit');
	expect(await cached.text()).toContain(title);

	await participant.goto('/en/me', { waitUntil: 'networkidle' });
	const card = participant.getByRole('article', { name: title });
	await card.getByRole('button', { name: t.participant_me_withdraw }).click();
	await participant
		.getByRole('dialog')
		.getByRole('button', { name: t.participant_me_withdraw })
		.click();
	await expect(
		participant.getByRole('status').filter({ hasText: t.participant_me_withdrawn }).first()
	).toBeVisible({ timeout: 30_000 });

	// Instance B read the shared version at most SHARED_CACHE_BOUND_MS ago; after that bound its
	// very next answer is a fresh one.
	await new Promise((resolve) => setTimeout(resolve, SHARED_CACHE_BOUND_MS));
	const gone = await onB();
	expect(gone.headers()['x-instance']).toBe('B');
	expect(gone.status()).toBe(404);
	expect(await gone.text()).not.toContain(title);
	await context.close();
});

test('an upload started through instance A and finished through instance B arrives once', async ({
	browser
}) => {
	test.setTimeout(240_000);
	// Pages, form posts and the processing request go to the instance named here; the photo's
	// bytes go by TUS straight to Storage, as in production, under the participant's session.
	let pin: Name = 'A';
	const context = await browser.newContext({ baseURL: proxyUrl });
	await context.route(`${proxyUrl}/**`, (route) =>
		route.fallback({ headers: { ...route.request().headers(), 'x-test-instance': pin } })
	);
	const first = await context.newPage();
	const name = `Resumable ${unique()}`;
	await joinDemo(first, 'en', name, t.participant_join_submit);
	await expect(first.locator('.code')).toBeVisible({ timeout: 30_000 });
	await first.goto('/en/pieces/new');
	await first.getByLabel(p.piece_new_language_label).selectOption('uk');
	await first.getByRole('button', { name: p.piece_new_start }).click();
	await expect(first).toHaveURL(/\/me\/pieces\/[0-9a-f-]{36}\/edit/);
	const pieceId = first.url().match(/pieces\/([0-9a-f-]{36})/)![1];
	const userId = await userIdByName(name);

	// Two 6 MB chunks at least; the upload is throttled so the page can close in the middle.
	const photo = await sharp({
		create: {
			width: 4000,
			height: 3000,
			channels: 3,
			background: { r: 128, g: 128, b: 128 },
			noise: { type: 'gaussian', mean: 128, sigma: 60 }
		}
	})
		.jpeg({ quality: 98 })
		.toBuffer();
	expect(photo.byteLength).toBeGreaterThan(12 * 1024 * 1024);
	const cdp = await context.newCDPSession(first);
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false,
		latency: 50,
		downloadThroughput: 4_000_000,
		uploadThroughput: 1_500_000
	});
	const offsets: { page: number; offset: number }[] = [];
	const watch = (page: Awaited<ReturnType<typeof context.newPage>>, n: number) =>
		page.on('request', (r) => {
			if (r.method() === 'PATCH' && r.url().includes('/upload/resumable'))
				offsets.push({ page: n, offset: Number(r.headers()['upload-offset']) });
		});
	watch(first, 1);
	await first
		.locator('input[type="file"][multiple]')
		.setInputFiles({ name: 'big.jpg', mimeType: 'image/jpeg', buffer: photo });
	// The first chunk is stored once tus sends the next one; then the page goes away mid-upload.
	await expect.poll(() => offsets.length, { timeout: 60_000 }).toBeGreaterThan(0);
	await first.close();

	// The participant comes back; the load balancer sends them to instance B from now on.
	pin = 'B';
	const processing: { instance: Name; uploadId: string; body: string }[] = [];
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	await context.route('**/api/uploads/*/process', async (route: Route) => {
		const uploadId = route.request().url().split('/').at(-2)!;
		processing.push({ instance: pin, uploadId, body: route.request().postData() ?? '' });
		await released;
		await route.fallback();
	});
	const second = await context.newPage();
	watch(second, 2);
	await second.goto(`/en/me/pieces/${pieceId}/edit`);
	await expect.poll(() => processing.length, { timeout: 120_000 }).toBe(1);
	const [{ uploadId, body, instance }] = processing;
	expect(instance).toBe('B');
	// Resumed, not started over: the second page's first PATCH continued past the first chunk.
	const resumed = offsets.filter((o) => o.page === 2);
	expect(resumed.length).toBeGreaterThan(0);
	expect(resumed[0].offset).toBeGreaterThan(0);
	// The original in Storage is the photo, byte for byte.
	const stored = await check(admin().storage.from('originals').download(`${userId}/${uploadId}`));
	const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
	expect(sha(Buffer.from(await stored.data!.arrayBuffer()))).toBe(sha(photo));

	// The same processing request also reaches instance A at the same moment (a retry racing the
	// first one, or a double tap): whichever instance runs it, one photo results.
	const fromBrowser = second.waitForResponse((r) =>
		r.url().endsWith(`/api/uploads/${uploadId}/process`)
	);
	const viaA = context.request.post(`${proxyUrl}/api/uploads/${uploadId}/process`, {
		headers: { origin: proxyUrl, 'content-type': 'application/json', 'x-test-instance': 'A' },
		data: body
	});
	release();
	const answers = await Promise.all([fromBrowser, viaA]);
	const statuses = answers.map((a) => a.status());
	expect(statuses.filter((s) => s === 201)).toHaveLength(1);
	// The other one found the run under way (409) or the original already processed (404).
	expect(statuses.filter((s) => s !== 201).every((s) => s === 404 || s === 409)).toBe(true);
	const created = answers.find((a) => a.status() === 201)!;
	const photoId = ((await created.json()) as { photo: { id: string } }).photo.id;

	const { data: rows } = await check(
		admin().from('piece_photos').select('id, width, height').eq('piece_id', pieceId)
	);
	expect(rows).toHaveLength(1);
	expect(rows![0]).toMatchObject({ width: 4000, height: 3000 });
	expect(rows![0].id).toBe(photoId);
	// The original is gone once processed, and nothing else of this upload is left behind.
	const { data: left } = await admin().storage.from('originals').list(userId);
	expect((left ?? []).map((o) => o.name)).not.toContain(uploadId);
	await second.reload();
	await expect(
		second.getByText(p.piece_photos_count.replace('{count}', '1').replace('{max}', '8'))
	).toBeVisible();
	await context.close();
});

test('when one instance dies under load, the other answers every visitor', async ({ request }) => {
	const paths = ['/de/gallery', '/en/stories', '/ar/gallery', '/uk/', '/fa/stories'];
	const answers: { status: number; instance: string; afterKill: boolean }[] = [];
	let killed = false;
	let stop = false;
	const visitor = async (v: number) => {
		for (let i = v; !stop; i++) {
			const response = await request.get(`${proxyUrl}${paths[i % paths.length]}`, {
				headers: { accept: 'text/html', 'x-test-client': `198.51.100.${v + 10}` }
			});
			answers.push({
				status: response.status(),
				instance: response.headers()['x-instance'],
				afterKill: killed
			});
		}
	};
	const visitors = Array.from({ length: 8 }, (_, v) => visitor(v));
	// Under way on both instances (however slow the machine), then A dies; B then answers a while.
	await expect
		.poll(() => answers.filter((a) => a.instance === 'A').length, { timeout: 60_000 })
		.toBeGreaterThan(0);
	instances[0].kill('SIGKILL');
	killed = true;
	await expect
		.poll(() => answers.filter((a) => a.afterKill).length, { timeout: 60_000 })
		.toBeGreaterThan(16);
	stop = true;
	await Promise.all(visitors);

	expect(answers.filter((a) => !a.afterKill).map((a) => a.instance)).toContain('A');
	const after = answers.filter((a) => a.afterKill);
	expect(after.length).toBeGreaterThan(8);
	expect(answers.filter((a) => a.status !== 200)).toEqual([]);
	expect(new Set(after.slice(8).map((a) => a.instance))).toEqual(new Set(['B']));
});
