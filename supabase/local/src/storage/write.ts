/**
 * The one write path for object bytes (upload, update, signed upload, copy, TUS completion):
 * the caller's RLS test (spec §4.4 step 3), then placing the bytes and upserting the row as the
 * service, in one transaction. The bytes are renamed into place inside that transaction and
 * removed again when it fails; the previous version's bytes are removed only after commit.
 */
import { randomUUID } from 'node:crypto';
import type { Caller, RequestInfo } from '../core/caller.ts';
import { asPgError, type Queryable } from '../core/db.ts';
import {
	becomeService,
	findObject,
	ownerColumns,
	runAsCaller,
	runAsService,
	type BucketRow,
	type ObjectMetadata,
	type StorageServices
} from './context.ts';
import { errors } from './errors.ts';
import { isEmptyFolderPlaceholder } from './names.ts';

export interface WriteSource {
	/** A temporary file to move into place, or an existing version file to link (copy). */
	kind: 'temp' | 'link';
	path: string;
	size: number;
}

export interface WriteObject {
	bucketId: string;
	key: string;
	upsert: boolean;
	/** Run Storage's RLS upload test as this caller; null when a signed token already allowed it. */
	caller: Caller | null;
	request: RequestInfo;
	operation: string;
	/** JWT `sub` recorded as the owner. */
	owner: string | undefined;
	mimetype: string;
	cacheControl: string;
	userMetadata: Record<string, unknown> | null;
	source: WriteSource;
}

/** Size limit for an upload into `bucket`: the smaller of the bucket's and the global limit. */
export function uploadLimit(services: StorageServices, bucket: BucketRow, key: string): number {
	if (isEmptyFolderPlaceholder(key)) return 0;
	const bucketLimit = bucket.file_size_limit === null ? Infinity : Number(bucket.file_size_limit);
	return Math.min(services.globalLimit, bucketLimit);
}

/**
 * Storage's MIME rule, literally: the part after `/` must equal an entry's subtype or the entry
 * must be `type/*`. Parameters count, so `text/plain;charset=UTF-8` (supabase-js' default for
 * raw bodies) passes `text/*` but not `text/plain`, exactly as on hosted Supabase.
 */
export function checkMimeType(bucket: BucketRow, key: string, mimetype: string): void {
	const allowed = bucket.allowed_mime_types;
	if (!allowed || allowed.length === 0 || isEmptyFolderPlaceholder(key)) return;
	const requested = mimetype.split('/');
	if (requested.length < 2) throw errors.invalidMimeType(mimetype);
	const [type, subtype] = requested;
	const ok = allowed.some((entry) => {
		const [allowedType, allowedSubtype] = entry.split('/');
		return allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype);
	});
	if (!ok) throw errors.invalidMimeType(mimetype);
}

/**
 * The statement Storage runs as the user to see whether policies allow the upload, rolled back
 * through a savepoint. Upserts need INSERT, SELECT and (when overwriting) UPDATE policies.
 */
export async function testUploadPermission(
	tx: Queryable,
	input: {
		bucketId: string;
		key: string;
		owner: string | undefined;
		upsert: boolean;
		metadata: Record<string, unknown>;
		userMetadata: Record<string, unknown> | null;
	}
): Promise<void> {
	const { owner, ownerId } = ownerColumns(input.owner);
	const insert = `insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
		values ($1, $2, $3, $4, $5, $6, $7)`;
	const upsert = `${insert} on conflict (name, bucket_id) do update set metadata = excluded.metadata,
		user_metadata = excluded.user_metadata, version = excluded.version, owner = excluded.owner,
		owner_id = excluded.owner_id returning *`;
	await tx.query('savepoint storage_upload_test');
	try {
		await tx.query(input.upsert ? upsert : insert, [
			input.bucketId,
			input.key,
			owner,
			ownerId,
			JSON.stringify(input.metadata),
			input.userMetadata === null ? null : JSON.stringify(input.userMetadata),
			randomUUID()
		]);
	} catch (error) {
		if (asPgError(error)?.code === '23505') throw errors.keyAlreadyExists();
		throw error;
	}
	await tx.query('rollback to savepoint storage_upload_test');
}

/** Writes one object; returns its id. The source file is consumed on success. */
export async function writeObject(services: StorageServices, input: WriteObject): Promise<string> {
	const { files } = services;
	const version = randomUUID();
	const { owner, ownerId } = ownerColumns(input.owner);
	const metadata: ObjectMetadata = {
		eTag: `"${version.replaceAll('-', '')}"`,
		size: input.source.size,
		mimetype: input.mimetype,
		cacheControl: input.cacheControl,
		lastModified: new Date().toISOString(),
		contentLength: input.source.size,
		httpStatusCode: 200
	};
	// Filled in by the transaction; read after it to clean up the bytes it left behind.
	const state: { placed: string | null; previous: string | null } = {
		placed: null,
		previous: null
	};

	const work = async (tx: Queryable) => {
		if (input.caller)
			await testUploadPermission(tx, {
				bucketId: input.bucketId,
				key: input.key,
				owner: input.owner,
				upsert: input.upsert,
				metadata: { mimetype: input.mimetype, contentLength: input.source.size },
				userMetadata: input.userMetadata
			});
		await becomeService(tx);
		const existing = await findObject(tx, input.bucketId, input.key, true);
		if (existing && !input.upsert) throw errors.keyAlreadyExists();
		let id = existing?.id ?? randomUUID();
		state.placed = files.objectPath(input.bucketId, id, version);
		if (input.source.kind === 'temp') await files.commitTemp(input.source.path, state.placed);
		else await files.duplicate(input.source.path, state.placed);
		const { rows } = await tx.query<{ id: string }>(
			`insert into storage.objects (id, bucket_id, name, owner, owner_id, metadata, user_metadata, version)
			values ($1, $2, $3, $4, $5, $6, $7, $8)
			on conflict (name, bucket_id) do update set metadata = excluded.metadata,
				user_metadata = excluded.user_metadata, version = excluded.version,
				owner = excluded.owner, owner_id = excluded.owner_id, last_accessed_at = now()
			returning id`,
			[
				id,
				input.bucketId,
				input.key,
				owner,
				ownerId,
				JSON.stringify(metadata),
				input.userMetadata === null ? null : JSON.stringify(input.userMetadata),
				version
			]
		);
		if (rows[0].id !== id) {
			// Another writer created the row between our lock and insert (real Postgres only).
			id = rows[0].id;
			const moved = files.objectPath(input.bucketId, id, version);
			await files.commitTemp(state.placed, moved);
			state.placed = moved;
		}
		if (existing?.version)
			state.previous = files.objectPath(input.bucketId, existing.id, existing.version);
		return id;
	};

	let id: string;
	try {
		id = input.caller
			? await runAsCaller(services, input.caller, input.request, input.operation, work)
			: await runAsService(services, input.operation, work);
	} catch (error) {
		if (state.placed) await files.remove(state.placed);
		throw error;
	}
	if (state.previous && state.previous !== state.placed) await files.remove(state.previous);
	return id;
}
