/** What every storage operation needs: the database, the file store, limits and the caller. */
import { asCaller, type Caller, type RequestInfo } from '../core/caller.ts';
import type { Database, Queryable } from '../core/db.ts';
import { errors, fromDatabaseError } from './errors.ts';
import type { FileStore } from './file-store.ts';

export interface StorageServices {
	db: Database;
	files: FileStore;
	/** `[storage] file_size_limit` of config.toml, the upper bound for every bucket. */
	globalLimit: number;
	log: (message: string) => void;
}

export interface BucketRow {
	id: string;
	public: boolean;
	file_size_limit: number | null;
	allowed_mime_types: string[] | null;
}

export interface ObjectRow {
	id: string;
	name: string;
	bucket_id: string;
	version: string | null;
	owner: string | null;
	owner_id: string | null;
	metadata: ObjectMetadata | null;
	user_metadata: Record<string, unknown> | null;
	created_at: string;
	updated_at: string;
	last_accessed_at: string;
}

export interface ObjectMetadata {
	eTag: string;
	size: number;
	mimetype: string;
	cacheControl: string;
	lastModified: string;
	contentLength: number;
	httpStatusCode: number;
}

/** Runs `fn` as the caller with Storage's transaction settings; database errors become Storage's. */
export async function runAsCaller<T>(
	services: StorageServices,
	caller: Caller,
	request: RequestInfo,
	operation: string,
	fn: (tx: Queryable) => Promise<T>
): Promise<T> {
	try {
		return await asCaller(services.db, caller, request, fn, {
			settings: { 'storage.operation': operation, 'storage.allow_delete_query': 'true' }
		});
	} catch (error) {
		throw fromDatabaseError(error);
	}
}

/** Service-level access (RLS bypassed), as Storage's `asSuperUser()`. */
export async function runAsService<T>(
	services: StorageServices,
	operation: string,
	fn: (tx: Queryable) => Promise<T>
): Promise<T> {
	try {
		return await services.db.transaction(async (tx) => {
			await tx.query(
				`select set_config('storage.operation', $1, true), set_config('storage.allow_delete_query', 'true', true)`,
				[operation]
			);
			return fn(tx);
		});
	} catch (error) {
		throw fromDatabaseError(error);
	}
}

/** Drops the caller's role for the rest of the transaction, after the RLS checks are done. */
export async function becomeService(tx: Queryable): Promise<void> {
	await tx.query('set local role none');
}

export async function findBucket(tx: Queryable, bucketId: string): Promise<BucketRow> {
	const { rows } = await tx.query<BucketRow>(
		'select id, public, file_size_limit, allowed_mime_types from storage.buckets where id = $1',
		[bucketId]
	);
	if (!rows[0]) throw errors.noSuchBucket();
	return rows[0];
}

export const OBJECT_COLUMNS =
	'id, name, bucket_id, version, owner, owner_id, metadata, user_metadata, created_at, updated_at, last_accessed_at';

export async function findObject(
	tx: Queryable,
	bucketId: string,
	name: string,
	forUpdate = false
): Promise<ObjectRow | null> {
	const { rows } = await tx.query<ObjectRow>(
		`select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2${forUpdate ? ' for update' : ''}`,
		[bucketId, name]
	);
	return rows[0] ?? null;
}

/** `owner` (uuid) is only set for a uuid `sub`; `owner_id` always carries the `sub`. */
export function ownerColumns(sub: string | undefined): {
	owner: string | null;
	ownerId: string | null;
} {
	if (!sub) return { owner: null, ownerId: null };
	const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub);
	return { owner: isUuid ? sub : null, ownerId: sub };
}
