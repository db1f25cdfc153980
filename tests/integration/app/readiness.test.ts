/**
 * `/readyz`'s checks against a real local stack: ready while the database and storage answer,
 * "failed" once the stack is gone, "timeout" (within the bound) when a server accepts the
 * connection and never answers, as a database stuck behind a dead proxy does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readiness } from '../../../src/lib/server/health/readiness.ts';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';

const client = (url: string, key: string) => () =>
	createClient(url, key, { auth: { persistSession: false, autoRefreshToken: false } });

describe.each(testDbKinds())('readiness on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('is ready while the database and storage answer', async () => {
		expect(await readiness(client(stack.url, stack.keys.secret))).toEqual({
			status: 'ready',
			checks: { database: 'ok', storage: 'ok' }
		});
	});

	it('fails the checks with a key the stack refuses, and says nothing more', async () => {
		const report = await readiness(client(stack.url, 'sb_secret_wrong-key-for-this-stack'));
		expect(report).toEqual({
			status: 'unavailable',
			checks: { database: 'failed', storage: 'failed' }
		});
	});
});

describe('readiness without a backend', () => {
	let hanging: Server;
	let hangingUrl: string;
	beforeAll(async () => {
		// Accepts every request and never answers.
		hanging = createServer(() => {});
		await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
		hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		hanging.closeAllConnections();
		await new Promise((resolve) => hanging.close(resolve));
	});

	it('reports a timeout when nothing answers (the request would hang past the test otherwise)', async () => {
		const report = await readiness(client(hangingUrl, 'sb_secret_any'), 300);
		expect(report).toEqual({
			status: 'unavailable',
			checks: { database: 'timeout', storage: 'timeout' }
		});
	});

	it('reports failure when nothing listens', async () => {
		const report = await readiness(client('http://127.0.0.1:9', 'sb_secret_any'), 2000);
		expect(report.checks).toEqual({ database: 'failed', storage: 'failed' });
	});
});
