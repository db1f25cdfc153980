/**
 * Supabase Storage's resumable upload endpoint (TUS 1.0.0) at /storage/v1/upload/resumable, for
 * tus-js-client as Supabase documents it: creation (with upload), HEAD offset, PATCH append,
 * termination, `x-upsert`, and bucketName/objectName/contentType/cacheControl/metadata in
 * Upload-Metadata. Policies are asked at creation and again at completion. Partial uploads live
 * under `<dataDir>/storage/tus` (bytes plus a JSON description), so they survive a restart.
 * Errors follow Storage's TUS convention: the logical status as HTTP status, the message as body.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, readdir, rm, stat, writeFile, rename } from 'node:fs/promises';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { resolveCaller, type Caller } from '../core/caller.ts';
import type { LogLevel, RequestContext } from '../core/http.ts';
import { JwtError } from '../core/keys.ts';
import { findBucket, runAsCaller, runAsService, type StorageServices } from './context.ts';
import { errors, fromDatabaseError, StorageError } from './errors.ts';
import { mustBeValidKey } from './names.ts';
import { verifyUpload } from './signed.ts';
import { WRITE_BUFFER_BYTES, finish } from './file-store.ts';
import { checkMimeType, testUploadPermission, uploadLimit, writeObject } from './write.ts';

const TUS_VERSION = '1.0.0';
const BASE = '/upload/resumable';
/** Unfinished uploads older than this are dropped at start-up (Storage expires TUS URLs too). */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

interface UploadState {
	bucketId: string;
	objectName: string;
	version: string;
	length: number;
	upsert: boolean;
	owner: string | undefined;
	/** Created through /upload/resumable/sign: the token allowed it, no policies asked. */
	signed: boolean;
	contentType: string;
	cacheControl: string;
	userMetadata: Record<string, unknown> | null;
	createdAt: number;
	completed: boolean;
}

export interface TusHandler {
	handle(ctx: RequestContext): Promise<boolean>;
}

export async function createTusHandler(services: StorageServices): Promise<TusHandler> {
	const dir = services.files.tusDir;
	await dropExpired(dir);
	const locks = new Map<string, Promise<unknown>>();
	/** The request currently appending to each upload. */
	const writers = new Map<string, IncomingMessage>();

	/**
	 * A client resuming after a network drop may reach us before we noticed its old connection
	 * died; like tus' own server, end the old request so the new one is not stuck behind it.
	 */
	const takeOver = (id: string, req: IncomingMessage) => {
		const previous = writers.get(id);
		if (previous && previous !== req) previous.destroy();
	};
	const appendAs = async (id: string, req: IncomingMessage, fn: () => Promise<number>) => {
		writers.set(id, req);
		try {
			return await fn();
		} finally {
			if (writers.get(id) === req) writers.delete(id);
		}
	};

	/** One request at a time per upload; the rest wait in arrival order. */
	const withLock = <T>(id: string, fn: () => Promise<T>): Promise<T> => {
		const previous = locks.get(id) ?? Promise.resolve();
		const result = previous.then(fn, fn);
		const tail = result.catch(() => undefined);
		locks.set(id, tail);
		void tail.then(() => {
			if (locks.get(id) === tail) locks.delete(id);
		});
		return result;
	};

	const paths = (version: string) => ({
		info: join(dir, `${version}.json`),
		bytes: join(dir, `${version}.bin`)
	});

	async function load(uploadId: string): Promise<UploadState | null> {
		const parsed = parseUploadId(uploadId);
		if (!parsed) return null;
		try {
			const state = JSON.parse(await readFile(paths(parsed.version).info, 'utf8')) as UploadState;
			if (state.bucketId !== parsed.bucketId || state.objectName !== parsed.objectName) return null;
			return state;
		} catch {
			return null;
		}
	}

	async function save(state: UploadState): Promise<void> {
		const { info } = paths(state.version);
		await writeFile(`${info}.tmp`, JSON.stringify(state));
		await rename(`${info}.tmp`, info);
	}

	async function offsetOf(state: UploadState): Promise<number> {
		if (state.completed) return state.length;
		try {
			return (await stat(paths(state.version).bytes)).size;
		} catch {
			return 0;
		}
	}

	/** Appends the request body; returns the new offset. Bytes received before a disconnect stay. */
	async function append(req: IncomingMessage, state: UploadState, offset: number): Promise<number> {
		const out = createWriteStream(paths(state.version).bytes, {
			flags: 'a',
			highWaterMark: WRITE_BUFFER_BYTES
		});
		let failure: Error | null = null;
		out.on('error', (error) => (failure ??= error));
		const room = state.length - offset;
		let written = 0;
		let overflow = false;
		try {
			for await (const chunk of req as AsyncIterable<Buffer>) {
				if (overflow || failure) continue;
				const slice = written + chunk.length > room ? chunk.subarray(0, room - written) : chunk;
				if (slice.length < chunk.length) overflow = true;
				written += slice.length;
				if (slice.length > 0 && !out.write(slice)) await once(out, 'drain');
			}
		} catch {
			// client went away: keep what arrived, as TUS expects
		}
		await finish(out);
		if (failure) throw failure;
		if (overflow) throw errors.entityTooLarge();
		return offset + written;
	}

	/** Turns a finished upload into an object: the ordinary write path, policies asked again. */
	async function complete(
		state: UploadState,
		caller: Caller,
		request: RequestContext
	): Promise<void> {
		const bytes = paths(state.version).bytes;
		await writeObject(services, {
			bucketId: state.bucketId,
			key: state.objectName,
			upsert: state.upsert,
			caller: state.signed ? null : caller,
			request: requestInfo(request),
			operation: 'storage.tus.upload.part',
			owner: state.owner,
			mimetype: state.contentType,
			cacheControl: state.cacheControl,
			userMetadata: state.userMetadata,
			source: { kind: 'link', path: bytes, size: state.length }
		});
		state.completed = true;
		await save(state);
		await rm(bytes, { force: true });
	}

	async function create(ctx: RequestContext, signed: boolean): Promise<void> {
		const { req, res } = ctx;
		if (req.headers['upload-defer-length'])
			throw errors.invalidRequest('Upload-Defer-Length is not supported');
		const length = Number(req.headers['upload-length']);
		if (!Number.isSafeInteger(length) || length < 0)
			throw errors.invalidRequest('Upload-Length header is required');
		const metadata = parseMetadata(header(req, 'upload-metadata'));
		const bucketId = metadata.bucketName;
		const objectName = metadata.objectName;
		if (!bucketId || !objectName) throw errors.metadataRequired();
		mustBeValidKey(objectName);

		let caller: Caller;
		let owner: string | undefined;
		let upsert = header(req, 'x-upsert') === 'true';
		if (signed) {
			const token = await verifyUpload(
				header(req, 'x-signature') ?? null,
				`${bucketId}/${objectName}`
			);
			caller = await callerOf(ctx, true);
			owner = token.owner;
			upsert = token.upsert;
		} else {
			caller = await callerOf(ctx, false);
			owner = typeof caller.claims.sub === 'string' ? caller.claims.sub : undefined;
		}

		const bucket = await runAsService(services, 'storage.tus.upload.create', (tx) =>
			findBucket(tx, bucketId)
		);
		if (length > uploadLimit(services, bucket, objectName)) throw errors.entityTooLarge();
		const contentType = metadata.contentType || 'application/octet-stream';
		// As Storage's onCreate: only a declared content type is checked.
		if (metadata.contentType) checkMimeType(bucket, objectName, contentType);
		if (!signed)
			await runAsCaller(services, caller, requestInfo(ctx), 'storage.tus.upload.create', (tx) =>
				testUploadPermission(tx, {
					bucketId,
					key: objectName,
					owner,
					upsert,
					metadata: { mimetype: contentType, contentLength: length },
					userMetadata: null
				})
			);

		const state: UploadState = {
			bucketId,
			objectName,
			version: randomUUID(),
			length,
			upsert,
			owner,
			signed,
			contentType,
			cacheControl: /^-?\d+$/.test(metadata.cacheControl ?? '')
				? `max-age=${metadata.cacheControl}`
				: 'no-cache',
			userMetadata: parseUserMetadata(metadata.metadata),
			createdAt: Date.now(),
			completed: false
		};
		await writeFile(paths(state.version).bytes, '');
		await save(state);
		const id = Buffer.from(`${bucketId}/${objectName}/${state.version}`).toString('base64url');
		const location = `${origin(req)}/storage/v1${BASE}${signed ? '/sign' : ''}/${id}`;

		const headers: Record<string, string> = { location, 'tus-resumable': TUS_VERSION };
		const hasBody = /^application\/offset\+octet-stream/i.test(header(req, 'content-type') ?? '');
		if (hasBody) {
			const offset = await withLock(id, async () => {
				const next = await appendAs(id, req, () => append(req, state, 0));
				if (next === state.length) await complete(state, caller, ctx);
				return next;
			});
			headers['upload-offset'] = String(offset);
		} else if (length === 0) {
			await withLock(id, () => complete(state, caller, ctx));
		}
		res.writeHead(201, headers);
		res.end();
	}

	async function patch(ctx: RequestContext, uploadId: string, signed: boolean): Promise<void> {
		const { req, res } = ctx;
		if (!/^application\/offset\+octet-stream/i.test(header(req, 'content-type') ?? ''))
			throw new StorageError('TusError', 415, 'Invalid Content-Type');
		const caller = signed ? await callerOf(ctx, true) : await callerOf(ctx, false);
		takeOver(uploadId, req);
		const result = await withLock(uploadId, async () => {
			const state = await load(uploadId);
			if (!state) throw errors.noSuchUpload();
			await authorize(ctx, state, signed);
			const offset = await offsetOf(state);
			const claimed = Number(req.headers['upload-offset']);
			if (claimed !== offset) {
				req.resume();
				throw new StorageError('TusError', 409, 'Upload-Offset conflict');
			}
			if (state.completed) {
				req.resume();
				return { offset, completed: true };
			}
			const next = await appendAs(uploadId, req, () => append(req, state, offset));
			if (next === state.length) await complete(state, caller, ctx);
			return { offset: next, completed: next === state.length };
		});
		const headers: Record<string, string> = {
			'tus-resumable': TUS_VERSION,
			'upload-offset': String(result.offset)
		};
		if (result.completed) headers['tus-complete'] = '1';
		res.writeHead(204, headers);
		res.end();
	}

	/** Signed uploads prove themselves with the token on every request, as Storage requires. */
	async function authorize(ctx: RequestContext, state: UploadState, signed: boolean) {
		if (state.signed !== signed) throw errors.noSuchUpload();
		if (signed)
			await verifyUpload(
				header(ctx.req, 'x-signature') ?? null,
				`${state.bucketId}/${state.objectName}`
			);
	}

	async function head(ctx: RequestContext, uploadId: string, signed: boolean): Promise<void> {
		await callerOf(ctx, signed);
		const state = await load(uploadId);
		if (!state) throw errors.noSuchUpload();
		await authorize(ctx, state, signed);
		ctx.res.writeHead(200, {
			'tus-resumable': TUS_VERSION,
			'upload-offset': String(await offsetOf(state)),
			'upload-length': String(state.length),
			'cache-control': 'no-store'
		});
		ctx.res.end();
	}

	async function terminate(ctx: RequestContext, uploadId: string, signed: boolean): Promise<void> {
		await callerOf(ctx, signed);
		await withLock(uploadId, async () => {
			const state = await load(uploadId);
			if (!state) throw errors.noSuchUpload();
			await authorize(ctx, state, signed);
			if (state.completed)
				throw new StorageError('TusError', 400, 'Cannot terminate an already completed upload');
			const p = paths(state.version);
			await rm(p.bytes, { force: true });
			await rm(p.info, { force: true });
		});
		ctx.res.writeHead(204, { 'tus-resumable': TUS_VERSION });
		ctx.res.end();
	}

	async function callerOf(ctx: RequestContext, optional: boolean): Promise<Caller> {
		try {
			return await resolveCaller(ctx.stack.keys, ctx.req.headers);
		} catch (error) {
			if (!(error instanceof JwtError)) throw error;
			if (optional) return { role: 'anon', claims: { role: 'anon' }, token: null };
			throw errors.accessDenied(error.message);
		}
	}

	return {
		async handle(ctx) {
			// tus-js-client's overridePatchMethod sends PATCH/DELETE as POST for old proxies.
			const method = (
				header(ctx.req, 'x-http-method-override') ??
				ctx.req.method ??
				'GET'
			).toUpperCase();
			let rest = ctx.path.slice(BASE.length);
			const signed = rest === '/sign' || rest.startsWith('/sign/');
			if (signed) rest = rest.slice('/sign'.length);
			const uploadId = rest.replace(/^\/+|\/+$/g, '');
			try {
				if (uploadId === '' && method === 'POST') await create(ctx, signed);
				else if (uploadId !== '' && method === 'PATCH') await patch(ctx, uploadId, signed);
				else if (uploadId !== '' && method === 'HEAD') await head(ctx, uploadId, signed);
				else if (uploadId !== '' && method === 'DELETE') await terminate(ctx, uploadId, signed);
				else return false;
			} catch (error) {
				sendTusError(ctx.res, error, services.log);
			}
			return true;
		}
	};
}

function requestInfo(ctx: RequestContext) {
	return { method: ctx.req.method ?? 'POST', path: ctx.path, headers: ctx.req.headers };
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** Where the client reached us, so Location works behind the app's proxy too. */
function origin(req: IncomingMessage): string {
	const proto = header(req, 'x-forwarded-proto')?.split(',')[0].trim() || 'http';
	const host = header(req, 'x-forwarded-host')?.split(',')[0].trim() || header(req, 'host');
	return `${proto}://${host}`;
}

/** `bucket/object/name/version` in base64url, as Storage builds upload ids. */
function parseUploadId(
	uploadId: string
): { bucketId: string; objectName: string; version: string } | null {
	if (!/^[A-Za-z0-9_-]+$/.test(uploadId)) return null;
	const decoded = Buffer.from(uploadId, 'base64url').toString('utf8');
	const first = decoded.indexOf('/');
	const last = decoded.lastIndexOf('/');
	if (first <= 0 || last <= first) return null;
	const version = decoded.slice(last + 1);
	if (!/^[0-9a-f-]{36}$/.test(version)) return null;
	return { bucketId: decoded.slice(0, first), objectName: decoded.slice(first + 1, last), version };
}

/** `key base64,key base64` */
function parseMetadata(value: string | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const pair of (value ?? '').split(',')) {
		const [key, encoded] = pair.trim().split(' ');
		if (key) out[key] = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
	}
	return out;
}

function parseUserMetadata(value: string | undefined): Record<string, unknown> | null {
	if (!value) return null;
	try {
		const parsed: unknown = JSON.parse(value);
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
			? (parsed as Record<string, unknown>)
			: null;
	} catch {
		return null;
	}
}

function sendTusError(
	res: ServerResponse,
	error: unknown,
	log: (message: string, level?: LogLevel) => void
): void {
	const mapped = fromDatabaseError(error);
	const storageError = mapped instanceof StorageError ? mapped : errors.internal();
	if (!(mapped instanceof StorageError))
		log(`storage tus: unexpected error: ${(mapped as Error)?.stack ?? String(mapped)}`, 'error');
	if (res.headersSent) {
		res.destroy();
		return;
	}
	const body = storageError.message;
	res.writeHead(storageError.status, {
		'tus-resumable': TUS_VERSION,
		'content-type': 'text/plain; charset=utf-8',
		'content-length': Buffer.byteLength(body)
	});
	res.end(body);
}

async function dropExpired(dir: string): Promise<void> {
	let names: string[];
	try {
		names = await readdir(dir);
	} catch {
		return;
	}
	const now = Date.now();
	for (const name of names.filter((n) => n.endsWith('.json'))) {
		const path = join(dir, name);
		try {
			const state = JSON.parse(await readFile(path, 'utf8')) as UploadState;
			if (now - state.createdAt < MAX_AGE_MS) continue;
		} catch {
			// unreadable: drop it
		}
		await rm(path, { force: true });
		await rm(path.replace(/\.json$/, '.bin'), { force: true });
	}
}
