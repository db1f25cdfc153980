/**
 * Storage conformance against the unmodified supabase-js storage client (spec §4, §7): every
 * operation, with the fixture project's storage.objects policies allowing and denying it.
 */
import { request } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { JWT_SECRET } from '../../../supabase/local/src/core/keys.ts';
import { REMOTE_SKIP, startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
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

describe.each(testDbKinds({ remote: true }))('storage on %s', (kind) => {
	let stack: TestStack;
	let service: SupabaseClient;
	let anon: SupabaseClient;
	let alice: TestUser;
	let bob: TestUser;

	beforeAll(async () => {
		stack = await startTestStack({ kind, projectDir: STORAGE_PROJECT });
		service = client(stack, stack.keys.serviceRole);
		anon = client(stack, stack.keys.anon);
		alice = await makeUser(stack);
		bob = await makeUser(stack);
	});
	afterAll(async () => {
		await stack?.close();
	});

	const api = (path: string, init?: RequestInit) => fetch(`${stack.url}/storage/v1${path}`, init);
	const objectRow = async (bucket: string, name: string) =>
		(
			await stack.db.query<{ owner_id: string | null; metadata: Record<string, unknown> }>(
				'select owner_id, metadata from storage.objects where bucket_id = $1 and name = $2',
				[bucket, name]
			)
		).rows[0];

	describe('buckets', () => {
		it('upserts config.toml buckets and keeps those from migrations and seed', async () => {
			const { data, error } = await service.storage.listBuckets();
			expect(error).toBeNull();
			const byId = Object.fromEntries((data ?? []).map((b) => [b.id, b]));
			expect(Object.keys(byId).sort()).toEqual([
				'gallery',
				'limited',
				'migrated',
				'photos',
				'seeded'
			]);
			expect(byId.gallery).toMatchObject({ public: true, file_size_limit: 5 * 1024 * 1024 });
			expect(byId.limited).toMatchObject({
				public: false,
				file_size_limit: 64 * 1024,
				allowed_mime_types: ['image/png', 'image/jpeg', 'text/*']
			});
			expect(byId.seeded).toMatchObject({ public: true, allowed_mime_types: ['text/plain'] });
			const one = await service.storage.getBucket('photos');
			expect(one.data).toMatchObject({ id: 'photos', name: 'photos', public: false });
		});

		it('lets only policies (here: none, so only service_role) manage buckets', async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const denied = await alice.client.storage.createBucket('mine');
			expect(denied.error).toMatchObject({ status: 400, statusCode: '403' });
			expect(denied.error?.message).toBe('new row violates row-level security policy');

			const created = await service.storage.createBucket('scratch', {
				public: false,
				fileSizeLimit: '1MB',
				allowedMimeTypes: ['text/plain']
			});
			expect(created).toEqual({ data: { name: 'scratch' }, error: null });
			const dup = await service.storage.createBucket('scratch');
			expect(dup.error).toMatchObject({ status: 400, statusCode: '409' });

			const updated = await service.storage.updateBucket('scratch', { public: true });
			expect(updated.error).toBeNull();
			expect((await service.storage.getBucket('scratch')).data).toMatchObject({
				public: true,
				file_size_limit: 1_000_000
			});

			await service.storage.from('scratch').upload('a.txt', 'hello', { contentType: 'text/plain' });
			const notEmpty = await service.storage.deleteBucket('scratch');
			expect(notEmpty.error).toMatchObject({ statusCode: '409' });
			expect((await service.storage.emptyBucket('scratch')).error).toBeNull();
			expect(
				filesUnder(storageDir(stack, 'objects')).filter((f) => f.startsWith('c2NyYXRjaA'))
			).toEqual([]);
			expect(await service.storage.deleteBucket('scratch')).toEqual({
				data: { message: 'Successfully deleted' },
				error: null
			});
			const gone = await service.storage.getBucket('scratch');
			expect(gone.error).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
		});
	});

	describe('upload and download', () => {
		it('uploads a Blob (multipart) into the own folder and reads it back', async () => {
			const body = bytes(3000);
			const path = `${alice.id}/pieces/first.png`;
			const { data, error } = await alice.client.storage
				.from('photos')
				.upload(path, new Blob([new Uint8Array(body)], { type: 'image/png' }));
			expect(error).toBeNull();
			expect(data).toMatchObject({ path, fullPath: `photos/${path}` });
			expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);

			const download = await alice.client.storage.from('photos').download(path);
			expect(download.error).toBeNull();
			expect(Buffer.from(await download.data!.arrayBuffer())).toEqual(body);

			const info = await alice.client.storage.from('photos').info(path);
			expect(info.data).toMatchObject({
				id: data?.id,
				name: path,
				bucketId: 'photos',
				size: 3000,
				contentType: 'image/png',
				cacheControl: 'max-age=3600'
			});
			expect(await alice.client.storage.from('photos').exists(path)).toMatchObject({ data: true });
			expect(await objectRow('photos', path)).toMatchObject({
				owner_id: alice.id,
				metadata: { size: 3000, mimetype: 'image/png', contentLength: 3000, httpStatusCode: 200 }
			});
		});

		it('uploads raw bytes with content type, cache control and metadata; serves ETag and Range', async () => {
			const body = bytes(1000, 3);
			const path = `${alice.id}/raw.bin`;
			const up = await alice.client.storage.from('photos').upload(path, body, {
				contentType: 'application/octet-stream',
				cacheControl: '60',
				metadata: { caption: 'Stickerei' }
			});
			expect(up.error).toBeNull();
			const info = await alice.client.storage.from('photos').info(path);
			expect(info.data?.metadata).toEqual({ caption: 'Stickerei' });

			const headers = { Authorization: `Bearer ${alice.token}`, apikey: stack.keys.anon };
			const res = await api(`/object/photos/${path}`, { headers });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('application/octet-stream');
			expect(res.headers.get('cache-control')).toBe('max-age=60');
			expect(res.headers.get('content-length')).toBe('1000');
			const etag = res.headers.get('etag');
			expect(etag).toMatch(/^".+"$/);
			expect(Buffer.from(await res.arrayBuffer())).toEqual(body);

			const cached = await api(`/object/photos/${path}`, {
				headers: { ...headers, 'If-None-Match': etag! }
			});
			expect(cached.status).toBe(304);

			const partial = await api(`/object/authenticated/photos/${path}`, {
				headers: { ...headers, Range: 'bytes=10-19' }
			});
			expect(partial.status).toBe(206);
			expect(partial.headers.get('content-range')).toBe('bytes 10-19/1000');
			expect(Buffer.from(await partial.arrayBuffer())).toEqual(body.subarray(10, 20));

			const attachment = await api(`/object/photos/${path}?download=Stück.bin`, { headers });
			expect(attachment.headers.get('content-disposition')).toBe(
				"attachment; filename=St%C3%BCck.bin; filename*=UTF-8''St%C3%BCck.bin"
			);
			await attachment.arrayBuffer();
		});

		it("refuses an upload into another user's folder with Storage's 403-in-400", async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const { data, error } = await alice.client.storage
				.from('photos')
				.upload(
					`${bob.id}/intruder.png`,
					new Blob([new Uint8Array(bytes(10))], { type: 'image/png' })
				);
			expect(data).toBeNull();
			expect(error).toMatchObject({
				name: 'StorageApiError',
				status: 400,
				statusCode: '403',
				message: 'new row violates row-level security policy'
			});
			expect(await objectRow('photos', `${bob.id}/intruder.png`)).toBeUndefined();
			expect(filesUnder(storageDir(stack, 'tmp'))).toEqual([]);
		});

		it('answers 409 for a re-upload without upsert, and overwrites with upsert or update()', async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const path = `${alice.id}/again.txt`;
			const storage = alice.client.storage.from('photos');
			expect((await storage.upload(path, 'one', { contentType: 'text/plain' })).error).toBeNull();
			const first = await objectRow('photos', path);

			const again = await storage.upload(path, 'two', { contentType: 'text/plain' });
			expect(again.error).toMatchObject({
				status: 400,
				statusCode: '409',
				message: 'The resource already exists'
			});

			expect(
				(await storage.upload(path, 'two', { upsert: true, contentType: 'text/plain' })).error
			).toBeNull();
			expect(await (await storage.download(path)).data!.text()).toBe('two');
			expect((await storage.update(path, 'three', { contentType: 'text/plain' })).error).toBeNull();
			expect(await (await storage.download(path)).data!.text()).toBe('three');
			expect(await objectRow('photos', path)).not.toEqual(first);

			const objectFiles = filesUnder(storageDir(stack, 'objects'));
			const { rows } = await stack.db.query<{ id: string }>(
				`select id from storage.objects where bucket_id = 'photos' and name = $1`,
				[path]
			);
			expect(objectFiles.filter((f) => f.includes(rows[0].id))).toHaveLength(1);
		});

		it('refuses an upsert over an existing file where no UPDATE policy exists', async () => {
			const path = `${alice.id}/fixed.txt`;
			const storage = alice.client.storage.from('limited');
			expect((await storage.upload(path, 'v1', { contentType: 'text/plain' })).error).toBeNull();
			const over = await storage.upload(path, 'v2', { upsert: true, contentType: 'text/plain' });
			expect(over.error).toMatchObject({ status: 400, statusCode: '403' });
			expect(await (await storage.download(path)).data!.text()).toBe('v1');
		});

		it('hides private objects from other users and anon (404 in 400)', async () => {
			const path = `${alice.id}/private.txt`;
			await alice.client.storage
				.from('photos')
				.upload(path, 'secret', { contentType: 'text/plain' });
			for (const other of [bob.client, anon]) {
				const { data, error } = await other.storage.from('photos').download(path);
				expect(data).toBeNull();
				expect(error).toMatchObject({
					status: 400,
					statusCode: '404',
					message: 'Object not found'
				});
				expect((await other.storage.from('photos').exists(path)).data).toBe(false);
				const info = await other.storage.from('photos').info(path);
				expect(info.error).toMatchObject({ statusCode: '404' });
			}
			const noAuth = await api(`/object/photos/${path}`);
			expect(noAuth.status).toBe(400);
			expect(await noAuth.json()).toMatchObject({ statusCode: '404' });
		});

		it('serves public buckets to anyone through getPublicUrl; private ones are not public', async () => {
			const path = `${alice.id}/shown.txt`;
			expect(
				(
					await alice.client.storage
						.from('gallery')
						.upload(path, 'on the wall', { contentType: 'text/plain' })
				).error
			).toBeNull();
			const { publicUrl } = anon.storage.from('gallery').getPublicUrl(path).data;
			expect(publicUrl).toBe(`${stack.url}/storage/v1/object/public/gallery/${path}`);
			const res = await fetch(publicUrl);
			expect(res.status).toBe(200);
			expect(await res.text()).toBe('on the wall');
			expect(await (await anon.storage.from('gallery').download(path)).data!.text()).toBe(
				'on the wall'
			);

			await alice.client.storage.from('photos').upload(path, 'x', { contentType: 'text/plain' });
			const notPublic = await fetch(
				alice.client.storage.from('photos').getPublicUrl(path).data.publicUrl
			);
			expect(notPublic.status).toBe(400);
			expect(await notPublic.json()).toEqual({
				statusCode: '404',
				code: 'NoSuchBucket',
				error: 'Bucket not found',
				message: 'Bucket not found'
			});
		});
	});

	describe('list', () => {
		beforeAll(async () => {
			const storage = alice.client.storage.from('photos');
			for (const name of ['list/b.txt', 'list/a.txt', 'list/sub/deep.txt', 'list/Cap.txt'])
				await storage.upload(`${alice.id}/${name}`, name, { contentType: 'text/plain' });
		});

		it('lists immediate children with folders as id-less entries', async () => {
			const { data, error } = await alice.client.storage.from('photos').list(`${alice.id}/list`);
			expect(error).toBeNull();
			expect(data?.map((e) => e.name)).toEqual(['a.txt', 'b.txt', 'Cap.txt', 'sub']);
			const folder = data?.find((e) => e.name === 'sub');
			expect(folder).toMatchObject({ id: null, metadata: null });
			expect(data?.find((e) => e.name === 'a.txt')?.metadata).toMatchObject({ size: 10 });
		});

		it('honours limit, offset, search and sortBy', async () => {
			const storage = alice.client.storage.from('photos');
			const page = await storage.list(`${alice.id}/list/`, { limit: 2, offset: 1 });
			expect(page.data?.map((e) => e.name)).toEqual(['b.txt', 'Cap.txt']);
			const found = await storage.list(`${alice.id}/list`, { search: 'c' });
			expect(found.data?.map((e) => e.name)).toEqual(['Cap.txt']);
			const desc = await storage.list(`${alice.id}/list`, {
				sortBy: { column: 'name', order: 'desc' }
			});
			expect(desc.data?.map((e) => e.name)).toEqual(['sub', 'Cap.txt', 'b.txt', 'a.txt']);
		});

		it('shows nothing the SELECT policies hide', async () => {
			const { data, error } = await bob.client.storage.from('photos').list(`${alice.id}/list`);
			expect(error).toBeNull();
			expect(data).toEqual([]);
		});

		it('denies anon listing a public bucket unless a policy allows it', async () => {
			await service.storage
				.from('gallery')
				.upload('open/hello.txt', 'hi', { contentType: 'text/plain' });
			const root = await anon.storage.from('gallery').list(alice.id);
			expect(root).toEqual({ data: [], error: null });
			const open = await anon.storage.from('gallery').list('open');
			expect(open.data?.map((e) => e.name)).toEqual(['hello.txt']);
		});
	});

	describe('remove, move, copy', () => {
		it("skips what the policies do not allow and removes the caller's own files", async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const path = `${alice.id}/remove-me.txt`;
			const storage = alice.client.storage.from('photos');
			await storage.upload(path, 'bye', { contentType: 'text/plain' });
			const { rows } = await stack.db.query<{ id: string }>(
				`select id from storage.objects where bucket_id = 'photos' and name = $1`,
				[path]
			);
			const id = rows[0].id;

			const foreign = await bob.client.storage.from('photos').remove([path]);
			expect(foreign).toEqual({ data: [], error: null });
			expect((await storage.exists(path)).data).toBe(true);

			const own = await storage.remove([path, `${alice.id}/never-existed.txt`]);
			expect(own.error).toBeNull();
			expect(own.data).toHaveLength(1);
			expect(own.data?.[0]).toMatchObject({ name: path, bucket_id: 'photos', id });
			expect((await storage.exists(path)).data).toBe(false);
			expect(filesUnder(storageDir(stack, 'objects')).filter((f) => f.includes(id))).toEqual([]);
		});

		it('refuses plain SQL deletes from storage tables', async () => {
			await expect(stack.db.exec('delete from storage.objects')).rejects.toMatchObject({
				code: '42501'
			});
		});

		it('moves within the own folder and refuses a move into another folder', async () => {
			const storage = alice.client.storage.from('photos');
			const from = `${alice.id}/move/from.txt`;
			const to = `${alice.id}/move/to.txt`;
			await storage.upload(from, 'moving', { contentType: 'text/plain' });
			expect(await storage.move(from, to)).toEqual({
				data: { message: 'Successfully moved' },
				error: null
			});
			expect((await storage.exists(from)).data).toBe(false);
			expect(await (await storage.download(to)).data!.text()).toBe('moving');

			const stolen = await storage.move(to, `${bob.id}/stolen.txt`);
			expect(stolen.error).toMatchObject({ status: 400, statusCode: '403' });
			expect(await (await storage.download(to)).data!.text()).toBe('moving');

			const missing = await storage.move(`${alice.id}/move/nothing.txt`, `${alice.id}/x.txt`);
			expect(missing.error).toMatchObject({ statusCode: '404' });
			const foreign = await bob.client.storage.from('photos').move(to, `${bob.id}/mine.txt`);
			expect(foreign.error).toMatchObject({ statusCode: '404' });
		});

		it('copies a readable file and refuses a copy into a folder the caller may not write', async () => {
			const storage = alice.client.storage.from('photos');
			const from = `${alice.id}/copy/src.txt`;
			await storage.upload(from, 'original', { contentType: 'text/plain', metadata: { k: 'v' } });
			const copied = await storage.copy(from, `${alice.id}/copy/dst.txt`);
			expect(copied).toEqual({ data: { path: `photos/${alice.id}/copy/dst.txt` }, error: null });
			expect(await (await storage.download(`${alice.id}/copy/dst.txt`)).data!.text()).toBe(
				'original'
			);
			expect(await (await storage.download(from)).data!.text()).toBe('original');

			const across = await storage.copy(from, `${alice.id}/copied.txt`, {
				destinationBucket: 'limited'
			});
			expect(across.error).toBeNull();
			expect(
				await (
					await alice.client.storage.from('limited').download(`${alice.id}/copied.txt`)
				).data!.text()
			).toBe('original');

			const denied = await storage.copy(from, `${bob.id}/copy.txt`);
			expect(denied.error).toMatchObject({ status: 400, statusCode: '403' });
			const unreadable = await bob.client.storage.from('photos').copy(from, `${bob.id}/copy.txt`);
			expect(unreadable.error).toMatchObject({ statusCode: '404' });
		});
	});

	describe('signed URLs', () => {
		const path = () => `${alice.id}/signed.txt`;
		beforeAll(async () => {
			await alice.client.storage
				.from('photos')
				.upload(path(), 'signed bytes', { contentType: 'text/plain' });
		});

		it('creates a signed URL that works without headers', async () => {
			const { data, error } = await alice.client.storage.from('photos').createSignedUrl(path(), 60);
			expect(error).toBeNull();
			expect(data?.signedUrl).toMatch(
				new RegExp(`^${stack.url}/storage/v1/object/sign/photos/${path()}\\?token=`)
			);
			const res = await fetch(data!.signedUrl);
			expect(res.status).toBe(200);
			expect(res.headers.get('expires')).toBeTruthy();
			expect(await res.text()).toBe('signed bytes');

			const download = await alice.client.storage
				.from('photos')
				.createSignedUrl(path(), 60, { download: 'mine.txt' });
			const attached = await fetch(download.data!.signedUrl);
			expect(attached.headers.get('content-disposition')).toContain('filename=mine.txt');
			await attached.text();
		});

		it('refuses to sign what the caller cannot see, and batches per path', async () => {
			const denied = await bob.client.storage.from('photos').createSignedUrl(path(), 60);
			expect(denied.error).toMatchObject({ statusCode: '404' });
			const bad = await alice.client.storage.from('photos').createSignedUrl(path(), -5);
			expect(bad.error).toMatchObject({ status: 400 });

			const many = await alice.client.storage
				.from('photos')
				.createSignedUrls([path(), `${bob.id}/none.txt`], 60);
			expect(many.error).toBeNull();
			expect(many.data?.[0]).toMatchObject({ error: null, path: path() });
			expect(many.data?.[1]).toEqual({
				error: 'Either the object does not exist or you do not have access to it',
				path: `${bob.id}/none.txt`,
				signedURL: null,
				signedUrl: null
			});
			expect(await (await fetch(many.data![0].signedUrl!)).text()).toBe('signed bytes');
		});

		it('rejects expired, tampered and misdirected tokens', async () => {
			const secret = new TextEncoder().encode(JWT_SECRET);
			const past = Math.floor(Date.now() / 1000) - 120;
			const expired = await new SignJWT({ url: `photos/${path()}`, scope: 'download' })
				.setProtectedHeader({ alg: 'HS256' })
				.setIssuedAt(past - 60)
				.setExpirationTime(past)
				.sign(secret);
			const res = await api(`/object/sign/photos/${path()}?token=${expired}`);
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({
				statusCode: '400',
				code: 'ExpiredToken',
				message: 'The provided token has expired.'
			});

			const { data } = await alice.client.storage.from('photos').createSignedUrl(path(), 60);
			const token = new URL(data!.signedUrl).searchParams.get('token')!;
			const [h, p, s] = token.split('.');
			const tampered = `${h}.${Buffer.from(
				JSON.stringify({
					...JSON.parse(Buffer.from(p, 'base64url').toString()),
					url: `photos/${bob.id}/x`
				})
			).toString('base64url')}.${s}`;
			const forged = await api(`/object/sign/photos/${bob.id}/x?token=${tampered}`);
			expect(forged.status).toBe(400);
			expect(await forged.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT' });

			const elsewhere = await api(`/object/sign/photos/${alice.id}/raw.bin?token=${token}`);
			expect(elsewhere.status).toBe(400);
			expect(await elsewhere.json()).toMatchObject({ code: 'InvalidSignature' });
		});

		it('signs uploads after the RLS test and records the signer as owner', async () => {
			const target = `${alice.id}/via-token.txt`;
			const signed = await alice.client.storage.from('photos').createSignedUploadUrl(target);
			expect(signed.error).toBeNull();
			expect(signed.data?.signedUrl).toContain(
				`/storage/v1/object/upload/sign/photos/${target}?token=`
			);

			const up = await anon.storage
				.from('photos')
				.uploadToSignedUrl(target, signed.data!.token, 'through a token', {
					contentType: 'text/plain'
				});
			expect(up).toEqual({ data: { path: target, fullPath: `photos/${target}` }, error: null });
			expect(await objectRow('photos', target)).toMatchObject({ owner_id: alice.id });
			expect(await (await alice.client.storage.from('photos').download(target)).data!.text()).toBe(
				'through a token'
			);

			const again = await anon.storage
				.from('photos')
				.uploadToSignedUrl(target, signed.data!.token, 'twice', { contentType: 'text/plain' });
			expect(again.error).toMatchObject({ statusCode: '409' });

			const foreign = await alice.client.storage
				.from('photos')
				.createSignedUploadUrl(`${bob.id}/x.txt`);
			expect(foreign.error).toMatchObject({ status: 400, statusCode: '403' });

			const wrongPath = await anon.storage
				.from('photos')
				.uploadToSignedUrl(`${alice.id}/other.txt`, signed.data!.token, 'x');
			expect(wrongPath.error).toMatchObject({ statusCode: '400' });
		});
	});

	describe('limits and keys', () => {
		it('refuses a body over the bucket limit, leaving no row and no temporary file', async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const path = `${alice.id}/too-big.png`;
			const storage = alice.client.storage.from('limited');
			const big = await storage.upload(
				path,
				new Blob([new Uint8Array(bytes(64 * 1024 + 1))], { type: 'image/png' })
			);
			expect(big.error).toMatchObject({
				status: 400,
				statusCode: '413',
				message: 'The object exceeded the maximum allowed size'
			});
			const raw = await storage.upload(path, bytes(200 * 1024), { contentType: 'image/png' });
			expect(raw.error).toMatchObject({ status: 400, statusCode: '413' });
			expect(await objectRow('limited', path)).toBeUndefined();
			expect(filesUnder(storageDir(stack, 'tmp'))).toEqual([]);

			const fits = await storage.upload(
				path,
				new Blob([new Uint8Array(bytes(64 * 1024))], { type: 'image/png' })
			);
			expect(fits.error).toBeNull();
		});

		it('enforces allowed MIME types, with type/* wildcards', async () => {
			const storage = alice.client.storage.from('limited');
			const pdf = await storage.upload(`${alice.id}/doc.pdf`, 'x', {
				contentType: 'application/pdf'
			});
			expect(pdf.error).toMatchObject({
				status: 400,
				statusCode: '415',
				message: 'mime type application/pdf is not supported'
			});
			const text = await storage.upload(`${alice.id}/notes.md`, '# hi', {
				contentType: 'text/markdown'
			});
			expect(text.error).toBeNull();
			// The client's default for strings carries a charset: fine for text/*, not for
			// text/plain, as hosted Storage compares the subtype literally.
			expect((await storage.upload(`${alice.id}/plain.txt`, 'hi')).error).toBeNull();
			const literal = await service.storage.from('seeded').upload('plain.txt', 'hi');
			expect(literal.error).toMatchObject({ statusCode: '415' });
			const exact = await service.storage
				.from('seeded')
				.upload('plain.txt', 'hi', { contentType: 'text/plain' });
			expect(exact.error).toBeNull();
		});

		it.each([
			['a parent segment', (id: string) => `${id}/../escape.txt`],
			['a dot segment', (id: string) => `${id}/./here.txt`],
			['an empty segment', (id: string) => `${id}//twice.txt`],
			['a NUL byte', (id: string) => `${id}/nul\u0000.txt`],
			['a control character', (id: string) => `${id}/bell\u0007.txt`],
			['an RTL override', (id: string) => `${id}/gnp.\u202Etxt`],
			['more than 1024 bytes', (id: string) => `${id}/${'k'.repeat(1100)}`]
		])('refuses a key with %s as InvalidKey', async (_label, key) => {
			const count = async () =>
				(await stack.db.query(`select 1 from storage.objects where bucket_id = 'photos'`)).rows
					.length;
			const before = await count();
			// Encoded whole, so neither fetch nor the client can normalise the key on the way.
			const res = await api(`/object/photos/${encodeURIComponent(key(alice.id))}`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' },
				body: 'x'
			});
			expect(res.status).toBe(400);
			const body = await res.json();
			expect(body).toMatchObject({ statusCode: '400', code: 'InvalidKey' });
			expect(body.message).toMatch(/^Invalid key: /);
			expect(await count()).toBe(before);
		});

		it('keeps a client-side "../" from leaving the own folder', async () => {
			// fetch resolves the dot segments, so the request names photos/escape.txt: RLS denies it.
			const { error } = await alice.client.storage
				.from('photos')
				.upload(`${alice.id}/../escape.txt`, 'x', { contentType: 'text/plain' });
			expect(error).toMatchObject({ status: 400, statusCode: '403' });
			expect(await objectRow('photos', 'escape.txt')).toBeUndefined();
		});

		it('refuses absolute keys sent past the client, and stores long plain keys', async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const res = await api(`/object/photos//${alice.id}/abs.txt`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' },
				body: 'x'
			});
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ statusCode: '400', code: 'InvalidKey' });

			const long = `${alice.id}/${'x'.repeat(300)}.txt`;
			const storage = alice.client.storage.from('photos');
			expect((await storage.upload(long, 'long', { contentType: 'text/plain' })).error).toBeNull();
			expect(await (await storage.download(long)).data!.text()).toBe('long');
			// Bytes live under bucket/object id/version, never under the user's key.
			expect(filesUnder(storageDir(stack, 'objects')).every((f) => !f.includes('xxxx'))).toBe(true);
		});
	});

	describe('consistency and fairness', () => {
		it('leaves row and bytes as they were when the final write fails', async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const storage = alice.client.storage.from('photos');
			const fresh = `${alice.id}/fail-after-write-new.txt`;
			const failed = await storage.upload(fresh, 'never stored', { contentType: 'text/plain' });
			expect(failed.error).toMatchObject({ status: 500, statusCode: '500' });
			expect(await objectRow('photos', fresh)).toBeUndefined();

			const kept = `${alice.id}/fail-after-write-kept.txt`;
			await storage.upload(`${alice.id}/before-move.txt`, 'first version', {
				contentType: 'text/plain'
			});
			expect((await storage.move(`${alice.id}/before-move.txt`, kept)).error).toBeNull();
			const { rows } = await stack.db.query<{ id: string }>(
				`select id from storage.objects where bucket_id = 'photos' and name = $1`,
				[kept]
			);
			const before = filesUnder(storageDir(stack, 'objects')).filter((f) => f.includes(rows[0].id));
			expect(before).toHaveLength(1);

			const overwrite = await storage.upload(kept, 'second version', {
				upsert: true,
				contentType: 'text/plain'
			});
			expect(overwrite.error).toMatchObject({ status: 500 });
			expect(await (await storage.download(kept)).data!.text()).toBe('first version');
			expect(
				filesUnder(storageDir(stack, 'objects')).filter((f) => f.includes(rows[0].id))
			).toEqual(before);
			expect(filesUnder(storageDir(stack, 'tmp'))).toEqual([]);
		});

		it('drops the temporary file when the client disconnects mid-upload', async (ctx) => {
			ctx.skip(kind === 'remote', REMOTE_SKIP.files);
			const path = `${alice.id}/cut-off.bin`;
			const tmp = storageDir(stack, 'tmp');
			// The server works on its own schedule: wait for conditions, never for a duration.
			const until = async (condition: () => boolean) => {
				for (let i = 0; i < 200 && !condition(); i++) await new Promise((d) => setTimeout(d, 25));
			};
			const req = request(`${stack.url}/storage/v1/object/photos/${path}`, {
				method: 'POST',
				headers: {
					authorization: `Bearer ${alice.token}`,
					'content-type': 'application/octet-stream',
					'content-length': String(256 * 1024)
				}
			});
			const closed = new Promise((resolve) => req.on('close', resolve));
			req.on('error', () => undefined);
			req.write(bytes(64 * 1024));
			await until(() => filesUnder(tmp).length > 0);
			expect(filesUnder(tmp)).toHaveLength(1);
			req.destroy();
			await closed;
			await until(() => filesUnder(tmp).length === 0);
			expect(filesUnder(tmp)).toEqual([]);
			expect(await objectRow('photos', path)).toBeUndefined();
		});

		it('serves other requests while a slow upload is still sending its body', async () => {
			const path = `${alice.id}/slow.bin`;
			const total = 512 * 1024;
			const target = new URL(`${stack.url}/storage/v1/object/photos/${path}`);
			let finish: (() => void) | undefined;
			const slow = new Promise<{ status: number; body: string }>((resolve, reject) => {
				const req = request(
					target,
					{
						method: 'POST',
						headers: {
							authorization: `Bearer ${alice.token}`,
							'content-type': 'application/octet-stream',
							'content-length': String(total)
						}
					},
					(res) => {
						let text = '';
						res.setEncoding('utf8');
						res.on('data', (chunk: string) => (text += chunk));
						res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
					}
				);
				req.on('error', reject);
				req.write(bytes(total / 2));
				finish = () => req.end(bytes(total / 2, 9));
			});

			// The upload holds no database while its body is still arriving.
			const listed = await alice.client.storage.from('photos').list(alice.id);
			expect(listed.error).toBeNull();
			const other = await alice.client.storage
				.from('photos')
				.upload(`${alice.id}/meanwhile.txt`, 'quick', { contentType: 'text/plain' });
			expect(other.error).toBeNull();
			expect(await objectRow('photos', path)).toBeUndefined();

			finish!();
			const done = await slow;
			expect(done.status).toBe(200);
			expect(JSON.parse(done.body)).toMatchObject({ Key: `photos/${path}` });
			const { data } = await alice.client.storage.from('photos').download(path);
			expect(digest(await data!.arrayBuffer())).toBe(
				digest(Buffer.concat([bytes(total / 2), bytes(total / 2, 9)]))
			);
		});
	});

	describe('errors', () => {
		it("answers in Storage's error shape with HTTP 400", async () => {
			const res = await api('/object/nope/a.txt', {
				method: 'POST',
				headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' },
				body: 'x'
			});
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual({
				statusCode: '404',
				code: 'NoSuchBucket',
				error: 'Bucket not found',
				message: 'Bucket not found'
			});
		});

		it('refuses a bad JWT as AccessDenied', async () => {
			const res = await api(`/object/photos/${alice.id}/x.txt`, {
				headers: { Authorization: 'Bearer not.a.jwt' }
			});
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ statusCode: '403', code: 'AccessDenied' });
		});

		it('names image transformation as unsupported', async () => {
			const res = await api(`/render/image/public/gallery/${alice.id}/shown.txt?width=10`);
			expect(res.status).toBe(400);
			expect((await res.json()).message).toMatch(/image transformation/);
		});
	});
});
