/**
 * Hostile and broken input across the stack (issue 3, "Tests and evidence"): JWTs that are
 * malformed, expired, unsigned (`alg: none`), signed by another key or carrying a role that is not
 * an API role; SQL-looking values; oversized headers; unknown routes. Each gets its documented
 * error and changes nothing: a table anyone may write keeps its rows, a bucket stays empty.
 * (`../` and absolute object names and oversized bodies: storage.test.ts, rest-write.test.ts.)
 */
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { JWT_SECRET } from '../../../supabase/local/src/core/keys.ts';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { ALICE, REST_PROJECT, rest, restClient } from './rest-helpers.ts';
import { STORAGE_PROJECT, client } from './storage-helpers.ts';

const now = () => Math.floor(Date.now() / 1000);

/** One of each kind of bad token, for a caller claiming `role`. */
async function badTokens(stack: TestStack, role: string): Promise<Record<string, string>> {
	const claims = { sub: ALICE, role, aud: 'authenticated' };
	const hs = (secret: string, exp: number, extra: object = {}) =>
		new SignJWT({ ...claims, ...extra })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setIssuedAt(now() - 10)
			.setExpirationTime(exp)
			.sign(new TextEncoder().encode(secret));
	const jwks = (await (await fetch(`${stack.url}/auth/v1/.well-known/jwks.json`)).json()) as {
		keys: { kid?: string }[];
	};
	const { privateKey } = await generateKeyPair('ES256');
	const payload = Buffer.from(JSON.stringify({ ...claims, exp: now() + 600 })).toString(
		'base64url'
	);
	return {
		malformed: 'not.a.jwt',
		expired: await hs(JWT_SECRET, now() - 3600),
		'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`,
		'HS256 with another secret': await hs('another-secret-that-is-at-least-32-chars!', now() + 600),
		// The stack's own key id, so only the signature can tell.
		'ES256 with another key': await new SignJWT({ ...claims })
			.setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: jwks.keys[0]?.kid ?? randomUUID() })
			.setExpirationTime(now() + 600)
			.sign(privateKey),
		'role postgres': await hs(JWT_SECRET, now() + 600, { role: 'postgres' }),
		'role supabase_admin': await hs(JWT_SECRET, now() + 600, { role: 'supabase_admin' })
	};
}

describe.each(testDbKinds({ remote: true }))('bad input on %s (REST, routes)', (kind) => {
	let stack: TestStack;
	let service: SupabaseClient;
	const itemNames = async () =>
		((await service.from('items').select('name').order('id')).data ?? []).map((r) => r.name);

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_PROJECT, kind });
		service = restClient(stack, { key: stack.keys.secret });
	});
	afterAll(() => stack?.close());

	it('refuses every bad JWT with 401 and never falls back to anon, even where anon may write', async () => {
		const before = await itemNames();
		expect(before).toEqual(['needle', 'thread']);
		for (const [name, token] of Object.entries(await badTokens(stack, 'authenticated'))) {
			const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
			const removed = await rest(stack, '/items?id=gt.0', { method: 'DELETE', headers });
			const added = await rest(stack, '/items', {
				method: 'POST',
				headers,
				body: JSON.stringify({ id: 90, name: `via ${name}` })
			});
			for (const response of [removed, added]) {
				expect(response.status, name).toBe(401);
				const body = (await response.json()) as { code: string; message: string };
				expect(body.message, name).toEqual(expect.any(String));
				expect(['PGRST301', 'PGRST303', '42501'], `${name}: ${body.code}`).toContain(body.code);
			}
		}
		expect(await itemNames()).toEqual(before);
	});

	it('keeps SQL-looking values as values in filters and bodies, and refuses them as column names', async () => {
		const hostile = `x'); delete from public.items; --`;
		const anon = restClient(stack);
		const filtered = await anon.from('items').delete().eq('name', hostile).select('id');
		expect(filtered.error).toBeNull();
		expect(filtered.data).toEqual([]);
		const listed = await anon.from('items').select('id').in('name', [hostile, 'needle']);
		expect(listed.error).toBeNull();
		expect(listed.data).toEqual([{ id: 1 }]);
		const inserted = await anon
			.from('items')
			.insert({ id: 91, name: hostile, note: 'drop table posts;' })
			.select('name, note')
			.single();
		expect(inserted.data).toEqual({ name: hostile, note: 'drop table posts;' });
		const column = await rest(stack, `/items?select=id&${encodeURIComponent('name;drop')}=eq.1`);
		expect(column.status).toBe(400);
		expect(await itemNames()).toEqual(['needle', 'thread', hostile]);
		await service.from('items').delete().eq('id', 91);
	});

	it('answers oversized request headers with 431 before any service runs', async () => {
		const status = await new Promise<number>((done, fail) => {
			const req = request(`${stack.url}/rest/v1/items?id=gt.0`, {
				method: 'DELETE',
				headers: { apikey: stack.keys.publishable, 'x-padding': 'p'.repeat(64 * 1024) }
			});
			req.on('response', (res) => {
				res.resume();
				done(res.statusCode ?? 0);
			});
			// The server may close as soon as it has answered.
			req.on('error', (error) => fail(error));
			req.end();
		});
		// Node's HTTP parser answers 431; a gateway in front of a real Supabase may say 400.
		if (kind === 'remote') expect([400, 431]).toContain(status);
		else expect(status).toBe(431);
		expect(await itemNames()).toEqual(['needle', 'thread']);
	});

	it('answers unknown routes with 404 in each service and at the gateway', async () => {
		const headers = { apikey: stack.keys.publishable };
		const gateway = await fetch(`${stack.url}/nope/v1/anything`, { headers });
		expect(gateway.status).toBe(404);
		expect(await gateway.json()).toEqual({ message: 'no Route matched with those values' });

		const restPath = await rest(stack, '/items/1/extra');
		expect(restPath.status).toBe(404);
		expect((await restPath.json()).code).toBe('PGRST125');

		const auth = await fetch(`${stack.url}/auth/v1/no-such-endpoint`, { headers });
		expect(auth.status).toBe(404);
		expect(await auth.json()).toMatchObject({ code: expect.anything() });

		const storage = await fetch(`${stack.url}/storage/v1/no-such-endpoint`, { headers });
		expect(storage.status).toBeGreaterThanOrEqual(400);
		expect(storage.status).toBeLessThan(500);
		expect(await storage.json()).toMatchObject({ message: expect.any(String) });
	});
});

describe.each(testDbKinds({ remote: true }))('bad input on %s (storage)', (kind) => {
	let stack: TestStack;
	let service: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: STORAGE_PROJECT, kind });
		service = client(stack, stack.keys.secret);
	});
	afterAll(() => stack?.close());

	it('refuses uploads, lists and deletes with bad JWTs as AccessDenied and stores nothing', async () => {
		const folder = ALICE;
		for (const [name, token] of Object.entries(await badTokens(stack, 'authenticated'))) {
			const upload = await fetch(`${stack.url}/storage/v1/object/photos/${folder}/bad.txt`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
				body: `uploaded with ${name}`
			});
			// Storage's convention: HTTP 400 with the real status in the body.
			expect(upload.status, name).toBe(400);
			const body = (await upload.json()) as { statusCode: string; error: string };
			expect(['400', '403'], `${name}: ${JSON.stringify(body)}`).toContain(body.statusCode);
		}
		const { data, error } = await service.storage.from('photos').list(folder);
		expect(error).toBeNull();
		expect(data).toEqual([]);
	});
});
