/**
 * Supabase-Storage-compatible service under /storage/v1 (spec §4). Request bodies are streamed to
 * disk before any database work; every database step goes through the shared FIFO queue.
 */
import type { IncomingMessage } from 'node:http';
import { resolveCaller, ANON_CALLER, type Caller } from '../core/caller.ts';
import { loadProjectConfig, parseSize } from '../core/config.ts';
import {
	readBody,
	sendJson,
	BodyTooLargeError,
	type RequestContext,
	type Service,
	type StackContext
} from '../core/http.ts';
import { JwtError } from '../core/keys.ts';
import {
	createBucket,
	deleteBucket,
	emptyBucket,
	getBucket,
	listBuckets,
	updateBucket,
	upsertConfiguredBuckets
} from './buckets.ts';
import type { StorageServices } from './context.ts';
import { errors, sendStorageError } from './errors.ts';
import { FileStore } from './file-store.ts';
import { mustBeValidKey, safeDecode, splitBucketAndKey } from './names.ts';
import {
	copyObject,
	infoBody,
	listObjects,
	lookupForRead,
	lookupSigned,
	moveObject,
	removeObject,
	removeObjects,
	testSignedUpload,
	uploadObject,
	visibleNames,
	type CallContext
} from './objects.ts';
import { serveObject } from './serve.ts';
import { signDownload, signUpload, verifyDownload, verifyUpload } from './signed.ts';
import { createTusHandler } from './tus.ts';
import { sweepOrphans } from './sweep.ts';

/** The CLI's default `[storage] file_size_limit`. */
const DEFAULT_GLOBAL_LIMIT = 50 * 1024 * 1024;
const JSON_BODY_LIMIT = 1024 * 1024;

export async function createStorageService(stack: StackContext): Promise<Service> {
	const config = loadProjectConfig(stack.projectDir);
	const files = new FileStore(stack.dataDir);
	await files.init();
	const services: StorageServices = {
		db: stack.db,
		files,
		globalLimit: parseSize(config.storage?.file_size_limit) ?? DEFAULT_GLOBAL_LIMIT,
		log: stack.log
	};
	await upsertConfiguredBuckets(stack.db, config.storage?.buckets);
	await sweepOrphans(services);
	const tus = await createTusHandler(services);

	return {
		prefix: '/storage/v1',
		async handle(ctx) {
			try {
				if (ctx.path === '/upload/resumable' || ctx.path.startsWith('/upload/resumable/'))
					return await tus.handle(ctx);
				return await route(services, ctx);
			} catch (error) {
				sendStorageError(ctx.res, error, stack.log);
				return true;
			}
		}
	};
}

async function callContext(
	services: StorageServices,
	ctx: RequestContext,
	optionalAuth = false
): Promise<CallContext> {
	let caller: Caller;
	try {
		caller = await resolveCaller(ctx.stack.keys, ctx.req.headers);
	} catch (error) {
		if (!(error instanceof JwtError)) throw error;
		if (optionalAuth) caller = ANON_CALLER;
		else throw errors.accessDenied(error.message);
	}
	return {
		services,
		caller,
		request: { method: ctx.req.method ?? 'GET', path: ctx.path, headers: ctx.req.headers }
	};
}

async function readJson<T>(req: IncomingMessage): Promise<T> {
	let raw: Buffer;
	try {
		raw = await readBody(req, JSON_BODY_LIMIT);
	} catch (error) {
		if (error instanceof BodyTooLargeError) throw errors.entityTooLarge();
		throw error;
	}
	if (raw.length === 0) return {} as T;
	try {
		return JSON.parse(raw.toString('utf8')) as T;
	} catch {
		throw errors.invalidRequest('Body is not valid JSON');
	}
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

async function route(services: StorageServices, ctx: RequestContext): Promise<boolean> {
	const { req, res, url } = ctx;
	const method = req.method ?? 'GET';
	const segments = ctx.path.split('/').filter((_, i) => i > 0);
	const [area, second] = segments;
	const rest = (from: number) => segments.slice(from).join('/');

	if (area === 'render') throw errors.notSupported('image transformation (/render/image)');

	if (area === 'bucket') {
		const call = await callContext(services, ctx);
		const id = second === undefined ? undefined : safeDecode(second);
		if (id === undefined || id === '') {
			if (method === 'GET') return send(ctx, await listBuckets(call, url.searchParams));
			if (method === 'POST') return send(ctx, await createBucket(call, await readJson(req)));
		} else if (segments[2] === 'empty' && method === 'POST') {
			return send(ctx, await emptyBucket(call, id));
		} else if (segments.length === 2) {
			if (method === 'GET') return send(ctx, await getBucket(call, id));
			if (method === 'PUT') return send(ctx, await updateBucket(call, id, await readJson(req)));
			if (method === 'DELETE') return send(ctx, await deleteBucket(call, id));
		}
		return false;
	}

	if (area !== 'object') return false;

	switch (second) {
		case 'list': {
			if (method !== 'POST') return false;
			const call = await callContext(services, ctx);
			return send(ctx, await listObjects(call, safeDecode(rest(2)), await readJson(req)));
		}
		case 'list-v2':
			throw errors.notSupported('listV2');
		case 'move': {
			if (method !== 'POST') return false;
			const call = await callContext(services, ctx);
			await moveObject(call, await readJson(req));
			return send(ctx, { message: 'Successfully moved' });
		}
		case 'copy': {
			if (method !== 'POST') return false;
			const call = await callContext(services, ctx);
			const upsert = header(req, 'x-upsert') === 'true';
			return send(ctx, await copyObject(call, await readJson(req), upsert));
		}
		case 'sign':
			return signRoutes(services, ctx, rest(2));
		case 'upload':
			if (segments[2] !== 'sign') return false;
			return signedUploadRoutes(services, ctx, rest(3));
		case 'info': {
			if (method !== 'GET') return false;
			const mode = segments[2] === 'public' ? 'public' : 'authenticated';
			const path = segments[2] === 'public' || segments[2] === 'authenticated' ? rest(3) : rest(2);
			const { bucket, key } = splitBucketAndKey(path);
			const call = await callContext(services, ctx, mode === 'public');
			const object = await lookupForRead(
				call,
				bucket,
				key,
				mode,
				mode === 'public' ? 'storage.object.info_public' : 'storage.object.info_authenticated'
			);
			return send(ctx, infoBody(object), { 'cache-control': 'no-cache' });
		}
		case 'public':
		case 'authenticated': {
			if (method !== 'GET' && method !== 'HEAD') return false;
			const { bucket, key } = splitBucketAndKey(rest(2));
			const call = await callContext(services, ctx, second === 'public');
			const object = await lookupForRead(
				call,
				bucket,
				key,
				second,
				second === 'public' ? 'storage.object.get_public' : 'storage.object.get_authenticated'
			);
			await serveObject(services, req, res, object, { download: url.searchParams.get('download') });
			return true;
		}
		default:
			return objectRoutes(services, ctx, rest(1));
	}
}

/** /object/{bucket}/{key} and /object/{bucket} */
async function objectRoutes(services: StorageServices, ctx: RequestContext, path: string) {
	const { req, res, url } = ctx;
	const method = req.method ?? 'GET';
	const { bucket, key } = splitBucketAndKey(path);
	if (!bucket) return false;
	if (key === '') {
		if (method !== 'DELETE') return false;
		const call = await callContext(services, ctx);
		const body = await readJson<{ prefixes?: unknown }>(req);
		return send(ctx, await removeObjects(call, bucket, body.prefixes));
	}
	const call = await callContext(services, ctx);
	switch (method) {
		case 'POST':
		case 'PUT': {
			const upsert = method === 'PUT' || header(req, 'x-upsert') === 'true';
			const operation = method === 'PUT' ? 'storage.object.upload_update' : 'storage.object.upload';
			return send(ctx, await uploadObject(call, req, { bucketId: bucket, key, upsert, operation }));
		}
		case 'GET':
		case 'HEAD': {
			const object = await lookupForRead(
				call,
				bucket,
				key,
				'authenticated',
				'storage.object.get_authenticated'
			);
			await serveObject(services, req, res, object, { download: url.searchParams.get('download') });
			return true;
		}
		case 'DELETE':
			await removeObject(call, bucket, key);
			return send(ctx, { message: 'Successfully deleted' });
		default:
			return false;
	}
}

/** /object/sign/{bucket}[/{key}]: create one or many signed URLs, or fetch through one. */
async function signRoutes(services: StorageServices, ctx: RequestContext, path: string) {
	const { req, res, url } = ctx;
	const method = req.method ?? 'GET';
	const { bucket, key } = splitBucketAndKey(path);
	if (!bucket) return false;

	if (method === 'GET' || method === 'HEAD') {
		const signed = await verifyDownload(url.searchParams.get('token'), `${bucket}/${key}`);
		const call = await callContext(services, ctx, true);
		const object = await lookupSigned(call, bucket, key);
		await serveObject(services, req, res, object, {
			expiresAt: signed.exp,
			download: url.searchParams.get('download')
		});
		return true;
	}
	if (method !== 'POST') return false;

	const call = await callContext(services, ctx);
	const body = await readJson<{ expiresIn?: unknown; paths?: unknown }>(req);
	const expiresIn = Number(body.expiresIn);
	if (!Number.isFinite(expiresIn) || expiresIn <= 0)
		throw errors.invalidParameter('expiresIn', 'expiresIn must be a positive number');

	if (key === '') {
		if (!Array.isArray(body.paths) || body.paths.some((p) => typeof p !== 'string'))
			throw errors.invalidParameter('paths');
		const paths = body.paths as string[];
		const visible = await visibleNames(call, bucket, paths, 'storage.object.sign_many');
		const results = await Promise.all(
			paths.map(async (p) =>
				visible.has(p)
					? {
							error: null,
							path: p,
							signedURL: `/object/sign/${bucket}/${p}?token=${await signDownload(`${bucket}/${p}`, expiresIn)}`
						}
					: {
							error: 'Either the object does not exist or you do not have access to it',
							path: p,
							signedURL: null
						}
			)
		);
		return send(ctx, results);
	}
	const visible = await visibleNames(call, bucket, [key], 'storage.object.sign');
	if (!visible.has(key)) throw errors.noSuchKey();
	const token = await signDownload(`${bucket}/${key}`, expiresIn);
	return send(ctx, { signedURL: `/object/sign/${bucket}/${key}?token=${token}` });
}

/** /object/upload/sign/{bucket}/{key}: sign an upload after the RLS test, or upload with a token. */
async function signedUploadRoutes(services: StorageServices, ctx: RequestContext, path: string) {
	const { req, url } = ctx;
	const method = req.method ?? 'GET';
	const { bucket, key } = splitBucketAndKey(path);
	if (!bucket || !key) return false;
	if (method === 'POST') {
		const call = await callContext(services, ctx);
		const upsert = header(req, 'x-upsert') === 'true';
		await testSignedUpload(call, { bucketId: bucket, key, upsert, headers: req.headers });
		const owner = typeof call.caller.claims.sub === 'string' ? call.caller.claims.sub : undefined;
		const token = await signUpload(`${bucket}/${key}`, owner, upsert);
		return send(ctx, { url: `/object/upload/sign/${bucket}/${key}?token=${token}`, token });
	}
	if (method === 'PUT') {
		mustBeValidKey(key);
		const signed = await verifyUpload(url.searchParams.get('token'), `${bucket}/${key}`);
		const call = await callContext(services, ctx, true);
		const result = await uploadObject(call, req, {
			bucketId: bucket,
			key,
			upsert: signed.upsert,
			operation: 'storage.object.upload_signed',
			signed: { owner: signed.owner }
		});
		return send(ctx, { Id: result.Id, Key: result.Key });
	}
	return false;
}

function send(ctx: RequestContext, body: unknown, headers: Record<string, string> = {}): true {
	sendJson(ctx.res, 200, body, headers);
	return true;
}
