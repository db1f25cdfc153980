/**
 * Checklist E39 and the HSTS part of E37 behind a reverse proxy, against the production build:
 * adapter-node takes the client address from X-Forwarded-For only when told to (ADDRESS_HEADER,
 * XFF_DEPTH = number of proxies), and the protocol from X-Forwarded-Proto only with
 * PROTOCOL_HEADER. Each test starts its own instance; the rate-limit buckets are in Postgres,
 * shared by every instance on the stack, so the loopback peer's bucket may already be spent by
 * earlier specs.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { HSTS } from '../../src/lib/server/hooks/security-headers.ts';
import { startAppServer, type AppServer } from '../security/app-server.ts';

// The ticket sign-in bucket: 20 tries, then 2 a minute (src/lib/server/rate-limit.ts).
const TICKET_CAPACITY = 20;

let server: AppServer | undefined;
test.afterEach(async () => {
	await server?.stop();
	server = undefined;
});

/** One wrong-ticket sign-in through the no-JavaScript form; 400 = tried, 429 = limited. */
async function tryTicket(
	request: APIRequestContext,
	base: string,
	forwardedFor?: string
): Promise<number> {
	const response = await request.post(`${base}/de/ticket`, {
		form: { code: 'WRONG-TICKET-0000-0000' },
		headers: {
			Origin: base,
			Accept: 'text/html',
			...(forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {})
		},
		maxRedirects: 0
	});
	return response.status();
}

/** Tries until the first 429; returns how many tries got through before it. */
async function triesUntilLimited(
	request: APIRequestContext,
	base: string,
	forwardedFor: (i: number) => string | undefined
): Promise<number> {
	for (let i = 0; i < TICKET_CAPACITY + 5; i++) {
		const status = await tryTicket(request, base, forwardedFor(i));
		if (status === 429) return i;
		expect(status).toBe(400);
	}
	return Infinity;
}

test('behind one proxy (XFF_DEPTH=1) each forwarded address gets its own bucket', async ({
	request
}) => {
	test.setTimeout(120_000);
	server = await startAppServer({ ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '1' });
	const base = server.url;

	const allowed = await triesUntilLimited(request, base, () => '198.51.100.7');
	// A try or two may come back while the loop runs (2 a minute).
	expect(allowed).toBeGreaterThanOrEqual(TICKET_CAPACITY);
	expect(allowed).toBeLessThanOrEqual(TICKET_CAPACITY + 2);

	// The limited page tells the visitor in their language to wait.
	const page = await request.post(`${base}/de/ticket`, {
		form: { code: 'WRONG-TICKET-0000-0000' },
		headers: { Origin: base, Accept: 'text/html', 'X-Forwarded-For': '198.51.100.7' }
	});
	expect(page.status()).toBe(429);
	expect(await page.text()).toContain('Bitte warte');

	// A second visitor behind the same proxy is not held up by the first.
	expect(await tryTicket(request, base, '198.51.100.8')).toBe(400);
	// The proxy appends the real peer last: an address the client prepends itself changes nothing.
	expect(await tryTicket(request, base, '203.0.113.50, 198.51.100.7')).toBe(429);
});

test('without ADDRESS_HEADER a forged X-Forwarded-For does not buy new tries', async ({
	request
}) => {
	test.setTimeout(120_000);
	server = await startAppServer({});
	// Every try forges new addresses; the bucket is still the peer's (127.0.0.1), which earlier
	// specs may have spent partly, so at most a full bucket gets through…
	const allowed = await triesUntilLimited(
		request,
		server.url,
		(i) => `203.0.113.${i + 1}, 198.51.100.${i + 1}`
	);
	expect(allowed).toBeLessThanOrEqual(TICKET_CAPACITY + 2);
	// …and once it is empty, yet another forged address is refused as well.
	expect(await tryTicket(request, server.url, '192.0.2.99, 198.51.100.99')).toBe(429);
});

test('HSTS only over HTTPS: an https ORIGIN or a trusted X-Forwarded-Proto, never a forged one', async ({
	request
}) => {
	server = await startAppServer({ ORIGIN: 'https://faden.example' });
	const secure = await request.get(`${server.url}/de/about`);
	expect(secure.headers()['strict-transport-security']).toBe(HSTS);
	await server.stop();

	server = await startAppServer({ ORIGIN: 'http://127.0.0.1' });
	const forged = await request.get(`${server.url}/de/about`, {
		headers: { 'X-Forwarded-Proto': 'https' }
	});
	expect(forged.status()).toBe(200);
	expect(forged.headers()['strict-transport-security']).toBeUndefined();
	await server.stop();

	// No ORIGIN: the proxy says which protocol the visitor used.
	server = await startAppServer({
		ORIGIN: '',
		PROTOCOL_HEADER: 'x-forwarded-proto',
		HOST_HEADER: 'x-forwarded-host'
	});
	const viaHttps = await request.get(`${server.url}/de/about`, {
		headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'faden.example' }
	});
	expect(viaHttps.headers()['strict-transport-security']).toBe(HSTS);
	const viaHttp = await request.get(`${server.url}/de/about`, {
		headers: { 'X-Forwarded-Proto': 'http', 'X-Forwarded-Host': 'faden.example' }
	});
	expect(viaHttp.status()).toBe(200);
	expect(viaHttp.headers()['strict-transport-security']).toBeUndefined();
});
