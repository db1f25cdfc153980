/**
 * Object operations (spec §4.3–§4.9). Each asks Postgres, as the caller, exactly what Supabase
 * Storage asks (spec §4.11), so the project's storage.objects policies decide.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Caller, RequestInfo } from '../core/caller.ts';
import type { Queryable } from '../core/db.ts';
import { readUploadBody } from './body.ts';
import {
	becomeService,
	findBucket,
	findObject,
	ownerColumns,
	runAsCaller,
	runAsService,
	type ObjectRow,
	type StorageServices
} from './context.ts';
import { errors } from './errors.ts';
import { mustBeValidKey } from './names.ts';
import { checkMimeType, testUploadPermission, uploadLimit, writeObject } from './write.ts';

export interface CallContext {
	services: StorageServices;
	caller: Caller;
	request: RequestInfo;
}

const sub = (caller: Caller) =>
	typeof caller.claims.sub === 'string' ? caller.claims.sub : undefined;

/** POST/PUT /object/{bucket}/{key} and PUT /object/upload/sign/… (with `signedOwner`). */
export async function uploadObject(
	ctx: CallContext,
	req: IncomingMessage,
	input: {
		bucketId: string;
		key: string;
		upsert: boolean;
		operation: string;
		/** Set for signed uploads: the token already passed the RLS test for this owner. */
		signed?: { owner: string | undefined };
	}
): Promise<{ Id: string; Key: string }> {
	mustBeValidKey(input.key);
	const bucket = await runAsService(ctx.services, input.operation, (tx) =>
		findBucket(tx, input.bucketId)
	);
	const body = await readUploadBody(
		req,
		ctx.services.files,
		uploadLimit(ctx.services, bucket, input.key)
	);
	try {
		checkMimeType(bucket, input.key, body.mimetype);
		const id = await writeObject(ctx.services, {
			bucketId: input.bucketId,
			key: input.key,
			upsert: input.upsert,
			caller: input.signed ? null : ctx.caller,
			request: ctx.request,
			operation: input.operation,
			owner: input.signed ? input.signed.owner : sub(ctx.caller),
			mimetype: body.mimetype,
			cacheControl: body.cacheControl,
			userMetadata: body.userMetadata,
			source: { kind: 'temp', path: body.tempPath, size: body.size }
		});
		return { Id: id, Key: `${input.bucketId}/${input.key}` };
	} finally {
		await ctx.services.files.discard(body.tempPath);
	}
}

/**
 * Finds the object a download/info/exists request names: public buckets are read as the service,
 * private ones as the caller (SELECT policies), per Storage's getObject routes.
 */
export async function lookupForRead(
	ctx: CallContext,
	bucketId: string,
	key: string,
	mode: 'authenticated' | 'public',
	operation: string
): Promise<ObjectRow> {
	const { services } = ctx;
	const bucket = await runAsService(services, operation, async (tx) => {
		const { rows } = await tx.query<{ public: boolean }>(
			'select public from storage.buckets where id = $1',
			[bucketId]
		);
		return rows[0];
	});
	if (!bucket || (mode === 'public' && !bucket.public)) throw errors.noSuchBucket();
	const object = bucket.public
		? await runAsService(services, operation, (tx) => findObject(tx, bucketId, key))
		: await runAsCaller(services, ctx.caller, ctx.request, operation, (tx) =>
				findObject(tx, bucketId, key)
			);
	if (!object) throw errors.noSuchKey();
	return object;
}

/** GET /object/info/… body (Storage's InfoRenderer). */
export function infoBody(object: ObjectRow) {
	return {
		id: object.id,
		name: object.name,
		version: object.version,
		bucket_id: object.bucket_id,
		size: object.metadata?.size ?? null,
		content_type: object.metadata?.mimetype ?? null,
		cache_control: object.metadata?.cacheControl ?? null,
		etag: object.metadata?.eTag ?? null,
		metadata: object.user_metadata,
		last_modified: object.updated_at,
		created_at: object.created_at
	};
}

/** The object as a signed URL fetch finds it: no policies, the token decided. */
export async function lookupSigned(
	ctx: CallContext,
	bucketId: string,
	key: string
): Promise<ObjectRow> {
	const object = await runAsService(ctx.services, 'storage.object.get_signed', (tx) =>
		findObject(tx, bucketId, key)
	);
	if (!object) throw errors.noSuchKey();
	return object;
}

/** Names among `keys` that the caller's SELECT policies let them see. */
export async function visibleNames(
	ctx: CallContext,
	bucketId: string,
	keys: string[],
	operation: string
): Promise<Set<string>> {
	const rows = await runAsCaller(ctx.services, ctx.caller, ctx.request, operation, async (tx) => {
		const { rows } = await tx.query<{ name: string }>(
			'select name from storage.objects where bucket_id = $1 and name = any($2::text[])',
			[bucketId, keys]
		);
		return rows;
	});
	return new Set(rows.map((row) => row.name));
}

/** POST /object/upload/sign/{bucket}/{key}: the RLS upload test now, the upload later. */
export async function testSignedUpload(
	ctx: CallContext,
	input: { bucketId: string; key: string; upsert: boolean; headers: IncomingMessage['headers'] }
): Promise<void> {
	mustBeValidKey(input.key);
	const operation = 'storage.object.sign_upload_url';
	await runAsService(ctx.services, operation, (tx) => findBucket(tx, input.bucketId));
	const contentLength = Number(input.headers['content-length'] ?? 0);
	await runAsCaller(ctx.services, ctx.caller, ctx.request, operation, (tx) =>
		testUploadPermission(tx, {
			bucketId: input.bucketId,
			key: input.key,
			owner: sub(ctx.caller),
			upsert: input.upsert,
			metadata: {
				mimetype: input.headers['content-type'] ?? 'application/octet-stream',
				contentLength: Number.isFinite(contentLength) ? contentLength : 0
			},
			userMetadata: null
		})
	);
}

export interface ListOptions {
	prefix: string;
	limit?: number;
	offset?: number;
	search?: string;
	sortBy?: { column?: string; order?: string };
}

/** POST /object/list/{bucket}: `storage.search` as the caller. */
export async function listObjects(ctx: CallContext, bucketId: string, options: ListOptions) {
	if (typeof options.prefix !== 'string') throw errors.missingParameter('prefix');
	let prefix = options.prefix;
	if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
	const limit = Math.min(Math.max(Math.floor(Number(options.limit ?? 100)) || 0, 0), 1500);
	const offset = Math.max(Math.floor(Number(options.offset ?? 0)) || 0, 0);
	return runAsCaller(ctx.services, ctx.caller, ctx.request, 'storage.object.list', async (tx) => {
		const { rows } = await tx.query('select * from storage.search($1, $2, $3, 1, $4, $5, $6, $7)', [
			prefix,
			bucketId,
			limit,
			offset,
			options.search ?? '',
			options.sortBy?.column ?? 'name',
			options.sortBy?.order ?? 'asc'
		]);
		return rows;
	});
}

/** DELETE /object/{bucket} with `{prefixes}`: rows the policies do not allow are skipped. */
export async function removeObjects(ctx: CallContext, bucketId: string, names: unknown) {
	if (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))
		throw errors.invalidParameter('prefixes');
	if (names.length === 0 || names.length > 1000)
		throw errors.invalidParameter('prefixes', 'prefixes must hold 1 to 1000 names');
	const deleted = await runAsCaller(
		ctx.services,
		ctx.caller,
		ctx.request,
		'storage.object.delete_many',
		async (tx) => {
			const { rows } = await tx.query<ObjectRow>(
				'delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning *',
				[bucketId, names]
			);
			return rows;
		}
	);
	for (const row of deleted)
		if (row.version)
			await ctx.services.files.remove(
				ctx.services.files.objectPath(row.bucket_id, row.id, row.version)
			);
	return deleted;
}

/** DELETE /object/{bucket}/{key} */
export async function removeObject(ctx: CallContext, bucketId: string, key: string): Promise<void> {
	const operation = 'storage.object.delete';
	const existing = await runAsService(ctx.services, operation, (tx) =>
		findObject(tx, bucketId, key)
	);
	if (!existing) throw errors.noSuchKey();
	const deleted = await runAsCaller(
		ctx.services,
		ctx.caller,
		ctx.request,
		operation,
		async (tx) => {
			const { rows } = await tx.query<ObjectRow>(
				'delete from storage.objects where bucket_id = $1 and name = $2 returning id, bucket_id, version',
				[bucketId, key]
			);
			return rows[0];
		}
	);
	if (!deleted) throw errors.accessDenied();
	if (deleted.version)
		await ctx.services.files.remove(
			ctx.services.files.objectPath(deleted.bucket_id, deleted.id, deleted.version)
		);
}

export interface TransferBody {
	bucketId?: unknown;
	sourceKey?: unknown;
	destinationKey?: unknown;
	destinationBucket?: unknown;
}

function readTransfer(body: TransferBody) {
	if (typeof body.bucketId !== 'string') throw errors.missingParameter('bucketId');
	if (typeof body.sourceKey !== 'string') throw errors.missingParameter('sourceKey');
	if (typeof body.destinationKey !== 'string') throw errors.missingParameter('destinationKey');
	const destinationBucket =
		typeof body.destinationBucket === 'string' && body.destinationBucket !== ''
			? body.destinationBucket
			: body.bucketId;
	mustBeValidKey(body.destinationKey);
	return {
		bucketId: body.bucketId,
		sourceKey: body.sourceKey,
		destinationKey: body.destinationKey,
		destinationBucket
	};
}

/**
 * POST /object/move: SELECT the source and UPDATE it to the destination as the caller (rolled
 * back), then relink the bytes under a new version and update the row as the service.
 */
export async function moveObject(ctx: CallContext, body: TransferBody): Promise<void> {
	const t = readTransfer(body);
	const { files } = ctx.services;
	const version = randomUUID();
	const { owner, ownerId } = ownerColumns(sub(ctx.caller));
	const state: { placed: string | null; previous: string | null } = {
		placed: null,
		previous: null
	};
	const update = (tx: Queryable) =>
		tx.query<ObjectRow>(
			`update storage.objects set name = $3, bucket_id = $4, version = $5, owner = $6, owner_id = $7
			where bucket_id = $1 and name = $2 returning id, bucket_id, version`,
			[t.bucketId, t.sourceKey, t.destinationKey, t.destinationBucket, version, owner, ownerId]
		);
	try {
		await runAsCaller(ctx.services, ctx.caller, ctx.request, 'storage.object.move', async (tx) => {
			const source = await findObject(tx, t.bucketId, t.sourceKey);
			if (!source) throw errors.noSuchKey();
			await tx.query('savepoint storage_move_test');
			const tested = await update(tx);
			if (tested.rows.length === 0) throw errors.noSuchKey();
			await tx.query('rollback to savepoint storage_move_test');
			await becomeService(tx);
			const locked = await findObject(tx, t.bucketId, t.sourceKey, true);
			if (!locked?.version) throw errors.noSuchKey();
			state.previous = files.objectPath(locked.bucket_id, locked.id, locked.version);
			state.placed = files.objectPath(t.destinationBucket, locked.id, version);
			await files.duplicate(state.previous, state.placed);
			await update(tx);
		});
	} catch (error) {
		if (state.placed) await files.remove(state.placed);
		throw error;
	}
	if (state.previous) await files.remove(state.previous);
}

/**
 * POST /object/copy: read the source as the caller, then the ordinary write path for the
 * destination (upload RLS test, then bytes and row as the service).
 */
export async function copyObject(
	ctx: CallContext,
	body: TransferBody,
	upsert: boolean
): Promise<{ Id: string; Key: string }> {
	const t = readTransfer(body);
	const operation = 'storage.object.copy';
	const source = await runAsCaller(ctx.services, ctx.caller, ctx.request, operation, (tx) =>
		findObject(tx, t.bucketId, t.sourceKey)
	);
	if (!source?.version) throw errors.noSuchKey();
	await runAsService(ctx.services, operation, (tx) => findBucket(tx, t.destinationBucket));
	const sourcePath = ctx.services.files.objectPath(source.bucket_id, source.id, source.version);
	const id = await writeObject(ctx.services, {
		bucketId: t.destinationBucket,
		key: t.destinationKey,
		upsert,
		caller: ctx.caller,
		request: ctx.request,
		operation,
		owner: sub(ctx.caller),
		mimetype: source.metadata?.mimetype ?? 'application/octet-stream',
		cacheControl: source.metadata?.cacheControl ?? 'no-cache',
		userMetadata: source.user_metadata,
		source: { kind: 'link', path: sourcePath, size: source.metadata?.size ?? 0 }
	});
	return { Id: id, Key: `${t.destinationBucket}/${t.destinationKey}` };
}
