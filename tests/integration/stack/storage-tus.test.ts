/**
 * Resumable uploads (TUS) at /storage/v1/upload/resumable with tus-js-client, as Supabase
 * documents them, plus the raw protocol for a disconnect mid-PATCH and a stack restart.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '../../../supabase/local/src/stack.ts';
import {
	REMOTE_SKIP,
	startTestStack,
	testDbKinds,
	type TestDbKind,
	type TestStack
} from '../../helpers/stack.ts';
import {
	STORAGE_PROJECT,
	bytes,
	client,
	digest,
	filesUnder,
	makeUser,
	storageDir,
	type TestUser
} from './storage-helpers.ts';

interface TusOutcome {
	url: string | null;
	error: tus.DetailedError | Error | null;
}

/** Runs one tus-js-client upload to the end (or its first error). */
function tusUpload(
	input: Buffer,
	options: tus.UploadOptions & { endpoint?: string; uploadUrl?: string }
): Promise<TusOutcome> {
	return new Promise((done) => {
		const upload = new tus.Upload(input, {
			retryDelays: [],
			storeFingerprintForResuming: false,
			...options,
			onError: (error) => done({ url: upload.url, error }),
			onSuccess: () => done({ url: upload.url, error: null })
		});
		upload.start();
	});
}

const metadata = (bucketName: string, objectName: string, extra: Record<string, string> = {}) => ({
	bucketName,
	objectName,
	contentType: 'image/png',
	cacheControl: '3600',
	...extra
});

/** Raw TUS request through node:http, which keeps our path and lets us cut the body short. */
function raw(
	url: string,
	method: string,
	headers: Record<string, string>,
	body?: Buffer,
	cutAfter?: number
): Promise<{
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}> {
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{ method, headers: { 'tus-resumable': '1.0.0', ...headers } },
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (text += chunk));
				res.on('end', () =>
					resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text })
				);
			}
		);
		if (cutAfter !== undefined && body) {
			// Simulated disconnect: part of the body, then the socket goes away.
			req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
			req.write(body.subarray(0, cutAfter), () => setTimeout(() => req.destroy(), 100));
			return;
		}
		req.on('error', reject);
		req.end(body);
	});
}

const encodeMetadata = (values: Record<string, string>) =>
	Object.entries(values)
		.map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
		.join(',');

describe.each(testDbKinds({ remote: true }))('resumable uploads on %s', (kind) => {
	let stack: TestStack;
	let alice: TestUser;
	let bob: TestUser;
	const endpoint = () => `${stack.url}/storage/v1/upload/resumable`;
	const auth = (user: TestUser) => ({
		authorization: `Bearer ${user.token}`,
		apikey: stack.keys.anon
	});

	beforeAll(async () => {
		stack = await startTestStack({ kind, projectDir: STORAGE_PROJECT });
		alice = await makeUser(stack);
		bob = await makeUser(stack);
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('uploads in chunks with tus-js-client and serves the object like any other', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.files);
		const body = bytes(300 * 1024);
		const objectName = `${alice.id}/resumable.png`;
		const outcome = await tusUpload(body, {
			endpoint: endpoint(),
			headers: auth(alice),
			uploadDataDuringCreation: true,
			chunkSize: 64 * 1024,
			metadata: metadata('photos', objectName, {
				metadata: JSON.stringify({ caption: 'Kreuzstich' })
			})
		});
		expect(outcome.error).toBeNull();
		expect(outcome.url).toMatch(new RegExp(`^${endpoint()}/[A-Za-z0-9_-]+$`));

		const { data, error } = await alice.client.storage.from('photos').download(objectName);
		expect(error).toBeNull();
		expect(digest(await data!.arrayBuffer())).toBe(digest(body));
		const info = await alice.client.storage.from('photos').info(objectName);
		expect(info.data).toMatchObject({
			size: body.length,
			contentType: 'image/png',
			cacheControl: 'max-age=3600',
			metadata: { caption: 'Kreuzstich' }
		});
		const { rows } = await stack.db.query<{ owner_id: string }>(
			`select owner_id from storage.objects where bucket_id = 'photos' and name = $1`,
			[objectName]
		);
		expect(rows[0].owner_id).toBe(alice.id);

		const head = await raw(outcome.url!, 'HEAD', auth(alice));
		expect(head.headers['upload-offset']).toBe(String(body.length));
		expect(filesUnder(storageDir(stack, 'tus')).filter((f) => f.endsWith('.bin'))).toEqual([]);
	});

	it("refuses creation in another user's folder (policies) with TUS's status and message", async () => {
		const outcome = await tusUpload(bytes(100), {
			endpoint: endpoint(),
			headers: auth(alice),
			metadata: metadata('photos', `${bob.id}/not-mine.png`)
		});
		const error = outcome.error as tus.DetailedError;
		expect(error.originalResponse?.getStatus()).toBe(403);
		expect(error.originalResponse?.getBody()).toBe('new row violates row-level security policy');
	});

	it('answers 409 for an existing object without x-upsert and overwrites with it', async () => {
		const objectName = `${alice.id}/twice.png`;
		const first = await tusUpload(bytes(1000), {
			endpoint: endpoint(),
			headers: auth(alice),
			metadata: metadata('photos', objectName)
		});
		expect(first.error).toBeNull();
		const again = await tusUpload(bytes(1000, 9), {
			endpoint: endpoint(),
			headers: auth(alice),
			metadata: metadata('photos', objectName)
		});
		expect((again.error as tus.DetailedError).originalResponse?.getStatus()).toBe(409);
		const upsert = await tusUpload(bytes(1000, 9), {
			endpoint: endpoint(),
			headers: { ...auth(alice), 'x-upsert': 'true' },
			metadata: metadata('photos', objectName)
		});
		expect(upsert.error).toBeNull();
		const { data } = await alice.client.storage.from('photos').download(objectName);
		expect(digest(await data!.arrayBuffer())).toBe(digest(bytes(1000, 9)));
	});

	it('applies bucket size and MIME limits at creation', async () => {
		const tooBig = await tusUpload(bytes(64 * 1024 + 1), {
			endpoint: endpoint(),
			headers: auth(alice),
			metadata: metadata('limited', `${alice.id}/big.png`)
		});
		expect((tooBig.error as tus.DetailedError).originalResponse?.getStatus()).toBe(413);
		const wrongType = await tusUpload(bytes(10), {
			endpoint: endpoint(),
			headers: auth(alice),
			metadata: metadata('limited', `${alice.id}/doc.pdf`, { contentType: 'application/pdf' })
		});
		expect((wrongType.error as tus.DetailedError).originalResponse?.getStatus()).toBe(415);
		const noBucket = await tusUpload(bytes(10), {
			endpoint: endpoint(),
			headers: auth(alice),
			metadata: metadata('nope', `${alice.id}/x.png`)
		});
		expect((noBucket.error as tus.DetailedError).originalResponse?.getStatus()).toBe(404);
	});

	it('resumes after a disconnect mid-PATCH: HEAD tells the offset, the rest completes it', async () => {
		const body = bytes(256 * 1024, 5);
		const objectName = `${alice.id}/interrupted.png`;
		const created = await raw(endpoint(), 'POST', {
			...auth(alice),
			'upload-length': String(body.length),
			'upload-metadata': encodeMetadata(metadata('photos', objectName))
		});
		expect(created.status).toBe(201);
		const location = created.headers['location'] as string;

		await raw(
			location,
			'PATCH',
			{
				...auth(alice),
				'content-type': 'application/offset+octet-stream',
				'upload-offset': '0',
				'content-length': String(body.length)
			},
			body,
			body.length / 2
		);
		const head = await raw(location, 'HEAD', auth(alice));
		expect(head.status).toBe(200);
		expect(head.headers['upload-length']).toBe(String(body.length));
		const offset = Number(head.headers['upload-offset']);
		expect(offset).toBeGreaterThan(0);
		expect(offset).toBeLessThanOrEqual(body.length / 2);
		expect(await alice.client.storage.from('photos').exists(objectName)).toMatchObject({
			data: false
		});

		const stale = await raw(
			location,
			'PATCH',
			{ ...auth(alice), 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
			body
		);
		expect(stale.status).toBe(409);

		const rest = await raw(
			location,
			'PATCH',
			{
				...auth(alice),
				'content-type': 'application/offset+octet-stream',
				'upload-offset': String(offset)
			},
			body.subarray(offset)
		);
		expect(rest.status).toBe(204);
		expect(rest.headers['upload-offset']).toBe(String(body.length));
		const { data } = await alice.client.storage.from('photos').download(objectName);
		expect(digest(await data!.arrayBuffer())).toBe(digest(body));
	});

	it('lets a resuming client take over from a connection that silently stalled', async () => {
		const body = bytes(128 * 1024, 6);
		const objectName = `${alice.id}/stalled.png`;
		const created = await raw(endpoint(), 'POST', {
			...auth(alice),
			'upload-length': String(body.length),
			'upload-metadata': encodeMetadata(metadata('photos', objectName))
		});
		const location = created.headers['location'] as string;
		// A PATCH that sends a quarter and then neither finishes nor closes (a half-open link).
		const stalled = request(location, {
			method: 'PATCH',
			headers: {
				...auth(alice),
				'tus-resumable': '1.0.0',
				'content-type': 'application/offset+octet-stream',
				'upload-offset': '0',
				'content-length': String(body.length)
			}
		});
		stalled.on('error', () => undefined);
		stalled.write(body.subarray(0, body.length / 4));
		let offset = 0;
		for (let i = 0; i < 200 && offset < body.length / 4; i++) {
			offset = Number((await raw(location, 'HEAD', auth(alice))).headers['upload-offset']);
			if (offset < body.length / 4) await new Promise((done) => setTimeout(done, 25));
		}
		expect(offset).toBe(body.length / 4);

		const rest = await raw(
			location,
			'PATCH',
			{
				...auth(alice),
				'content-type': 'application/offset+octet-stream',
				'upload-offset': String(offset)
			},
			body.subarray(offset)
		);
		stalled.destroy();
		expect(rest.status).toBe(204);
		const { data } = await alice.client.storage.from('photos').download(objectName);
		expect(digest(await data!.arrayBuffer())).toBe(digest(body));
	});

	it('asks again at completion: a name taken meanwhile fails the last PATCH with 409', async () => {
		const objectName = `${alice.id}/raced.png`;
		const created = await raw(endpoint(), 'POST', {
			...auth(alice),
			'upload-length': '10',
			'upload-metadata': encodeMetadata(metadata('photos', objectName))
		});
		expect(created.status).toBe(201);
		await alice.client.storage
			.from('photos')
			.upload(objectName, bytes(5), { contentType: 'image/png' });
		const finish = await raw(
			created.headers['location'] as string,
			'PATCH',
			{ ...auth(alice), 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
			bytes(10)
		);
		expect(finish.status).toBe(409);
		expect(finish.body).toBe('The resource already exists');
	});

	it('accepts a signed upload token on /upload/resumable/sign, with no other credentials', async () => {
		const objectName = `${alice.id}/signed-resumable.png`;
		const signed = await alice.client.storage.from('photos').createSignedUploadUrl(objectName);
		expect(signed.error).toBeNull();
		const body = bytes(100 * 1024, 4);
		const outcome = await tusUpload(body, {
			endpoint: `${endpoint()}/sign`,
			headers: { 'x-signature': signed.data!.token },
			chunkSize: 40 * 1024,
			metadata: metadata('photos', objectName)
		});
		expect(outcome.error).toBeNull();
		expect(outcome.url).toContain('/upload/resumable/sign/');
		const { rows } = await stack.db.query<{ owner_id: string }>(
			`select owner_id from storage.objects where bucket_id = 'photos' and name = $1`,
			[objectName]
		);
		expect(rows[0]?.owner_id).toBe(alice.id);

		const forged = await tusUpload(body, {
			endpoint: `${endpoint()}/sign`,
			headers: { 'x-signature': signed.data!.token },
			metadata: metadata('photos', `${bob.id}/elsewhere.png`)
		});
		expect((forged.error as tus.DetailedError).originalResponse?.getStatus()).toBe(400);
	});

	it('refuses anonymous or tokenless creation in a policy-protected bucket', async () => {
		const outcome = await tusUpload(bytes(10), {
			endpoint: endpoint(),
			headers: { apikey: stack.keys.anon, authorization: `Bearer ${stack.keys.anon}` },
			metadata: metadata('photos', `${alice.id}/anon.png`)
		});
		expect((outcome.error as tus.DetailedError).originalResponse?.getStatus()).toBe(403);
	});
});

describe.each(testDbKinds())('resumable uploads across a restart on %s', (kind: TestDbKind) => {
	let dataDir: string;
	let databaseUrl: string | undefined;
	let dropDatabase = async () => {};
	let running: RunningStack | undefined;

	const start = async () =>
		startStack({
			projectDir: STORAGE_PROJECT,
			port: 0,
			log: () => {},
			dataDir,
			databaseUrl
		});

	beforeAll(async () => {
		dataDir = mkdtempSync(join(tmpdir(), 'ct-tus-restart-'));
		if (kind === 'postgres') {
			const admin = process.env.TEST_DATABASE_URL!;
			const name = `ct_tus_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
			const run = async (sql: string) => {
				const c = new pg.Client({ connectionString: admin });
				await c.connect();
				try {
					await c.query(sql);
				} finally {
					await c.end();
				}
			};
			await run(`create database ${name}`);
			dropDatabase = () => run(`drop database if exists ${name} with (force)`);
			const url = new URL(admin);
			url.pathname = `/${name}`;
			databaseUrl = url.toString();
		}
	});
	afterAll(async () => {
		await running?.close();
		await dropDatabase();
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('survives a restart: the partial upload resumes, stale versions of known objects go', async () => {
		running = await start();
		const id = randomUUID();
		const token = await running.stack.keys.signAccessToken(
			{
				sub: id,
				role: 'authenticated',
				aud: 'authenticated',
				session_id: randomUUID(),
				is_anonymous: false
			},
			3600
		);
		const headers = { authorization: `Bearer ${token}`, apikey: running.keys.anon };
		const body = bytes(200 * 1024, 11);
		const objectName = `${id}/after-restart.png`;
		const created = await raw(`${running.url}/storage/v1/upload/resumable`, 'POST', {
			...headers,
			'upload-length': String(body.length),
			'upload-metadata': encodeMetadata(metadata('photos', objectName))
		});
		expect(created.status).toBe(201);
		const uploadPath = new URL(created.headers['location'] as string).pathname;
		const half = await raw(
			`${running.url}${uploadPath}`,
			'PATCH',
			{ ...headers, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
			body.subarray(0, body.length / 2)
		);
		expect(half.status).toBe(204);

		// Crash leftovers: a stale version beside a live object, and a folder of an object this
		// database never had (another database may own it). Only the first may go.
		const user = client({ ...running, kind } as TestStack, running.keys.anon, token);
		expect(
			(
				await user.storage
					.from('photos')
					.upload(`${id}/kept.txt`, 'kept', { contentType: 'text/plain' })
			).error
		).toBeNull();
		const { rows } = await running.db.query<{ id: string; version: string }>(
			`select id, version from storage.objects where name = $1`,
			[`${id}/kept.txt`]
		);
		const objects = join(
			dataDir,
			'storage',
			'objects',
			Buffer.from('photos').toString('base64url')
		);
		writeFileSync(join(objects, rows[0].id, randomUUID()), 'stale');
		const foreign = join(objects, randomUUID());
		mkdirSync(foreign);
		writeFileSync(join(foreign, randomUUID()), 'someone else');
		await running.close();
		running = undefined;

		running = await start();
		expect(readdirSync(join(objects, rows[0].id))).toEqual([rows[0].version]);
		expect(readdirSync(foreign)).toHaveLength(1);
		const resumed = await tusUpload(body, {
			uploadUrl: `${running.url}${uploadPath}`,
			headers,
			metadata: metadata('photos', objectName)
		});
		expect(resumed.error).toBeNull();
		const again = client({ ...running, kind } as TestStack, running.keys.anon, token);
		expect(await (await again.storage.from('photos').download(`${id}/kept.txt`)).data!.text()).toBe(
			'kept'
		);
		const { data, error } = await again.storage.from('photos').download(objectName);
		expect(error).toBeNull();
		expect(digest(await data!.arrayBuffer())).toBe(digest(body));
		// Two cold starts of an on-disk PGlite: slow on a loaded machine, hence the longer limit.
	}, 120_000);
});
