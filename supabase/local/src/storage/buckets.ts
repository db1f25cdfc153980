/**
 * Bucket operations (spec §4.10), run as the caller so storage.buckets policies decide (in
 * practice only service_role may manage buckets), and the config.toml bucket upsert at start-up.
 */
import type { Database } from '../core/db.ts';
import type { BucketConfig } from '../core/config.ts';
import { parseSize } from '../core/config.ts';
import { runAsCaller, runAsService, type StorageServices } from './context.ts';
import { errors } from './errors.ts';
import { mustBeValidBucketName } from './names.ts';
import type { CallContext } from './objects.ts';

const BUCKET_COLUMNS =
	'id, name, owner, public, type, file_size_limit, allowed_mime_types, created_at, updated_at';
const SORT_COLUMNS = new Set(['id', 'name', 'created_at', 'updated_at']);

export async function listBuckets(ctx: CallContext, query: URLSearchParams) {
	const sortColumn = query.get('sortColumn') ?? 'name';
	const sortOrder = query.get('sortOrder') === 'desc' ? 'desc' : 'asc';
	const limit = query.has('limit') ? Math.max(0, Number(query.get('limit')) || 0) : null;
	const offset = Math.max(0, Number(query.get('offset')) || 0);
	const search = query.get('search') ?? '';
	const column = SORT_COLUMNS.has(sortColumn) ? sortColumn : 'name';
	return runAsCaller(ctx.services, ctx.caller, ctx.request, 'storage.bucket.list', async (tx) => {
		const { rows } = await tx.query(
			`select ${BUCKET_COLUMNS} from storage.buckets
			where ($1 = '' or name ilike '%' || $1 || '%')
			order by ${column} ${sortOrder} limit $2 offset $3`,
			[search, limit, offset]
		);
		return rows;
	});
}

export async function getBucket(ctx: CallContext, id: string) {
	const row = await runAsCaller(
		ctx.services,
		ctx.caller,
		ctx.request,
		'storage.bucket.get',
		async (tx) => {
			const { rows } = await tx.query(
				`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`,
				[id]
			);
			return rows[0];
		}
	);
	if (!row) throw errors.noSuchBucket();
	return row;
}

export interface BucketBody {
	id?: unknown;
	name?: unknown;
	public?: unknown;
	file_size_limit?: unknown;
	allowed_mime_types?: unknown;
}

function readLimit(services: StorageServices, value: unknown): number | null | undefined {
	if (value === undefined) return undefined;
	if (value === null) return null;
	let bytes: number;
	if (typeof value === 'number') bytes = value;
	else if (typeof value === 'string') {
		const match = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i.exec(value);
		if (!match) throw errors.invalidFileSizeLimit();
		const factor = { GB: 1e9, MB: 1e6, KB: 1e3, B: 1 }[match[2].toUpperCase()] ?? 1;
		bytes = Math.round(Number(match[1]) * factor);
	} else throw errors.invalidFileSizeLimit();
	if (!Number.isFinite(bytes) || bytes < 0) throw errors.invalidFileSizeLimit();
	if (bytes > services.globalLimit) throw errors.entityTooLarge();
	return bytes === 0 ? null : bytes;
}

function readMimeTypes(value: unknown): string[] | null | undefined {
	if (value === undefined) return undefined;
	if (value === null) return null;
	if (
		!Array.isArray(value) ||
		value.some(
			(type) => typeof type !== 'string' || !/^([a-z0-9.+-]+\/[a-z0-9.+*-]+|\*)$/i.test(type)
		)
	)
		throw errors.invalidParameter('allowed_mime_types', 'Invalid mime type format');
	return value.length === 0 ? null : (value as string[]);
}

export async function createBucket(ctx: CallContext, body: BucketBody) {
	const name = typeof body.name === 'string' ? body.name : undefined;
	const id = typeof body.id === 'string' && body.id !== '' ? body.id : name;
	mustBeValidBucketName(name);
	mustBeValidBucketName(id);
	const limit = readLimit(ctx.services, body.file_size_limit);
	const mimeTypes = readMimeTypes(body.allowed_mime_types);
	const owner = typeof ctx.caller.claims.sub === 'string' ? ctx.caller.claims.sub : null;
	await runAsCaller(ctx.services, ctx.caller, ctx.request, 'storage.bucket.create', async (tx) => {
		const exists = await tx.query('select 1 from storage.buckets where id = $1', [id]);
		if (exists.rows.length > 0) throw errors.bucketAlreadyExists();
		await tx.query(
			`insert into storage.buckets (id, name, owner_id, public, file_size_limit, allowed_mime_types)
			values ($1, $2, $3, $4, $5, $6)`,
			[id, name, owner, body.public === true, limit ?? null, mimeTypes ?? null]
		);
	}).catch((error: unknown) => {
		if (error instanceof Error && 'code' in error && error.code === 'ResourceAlreadyExists')
			throw errors.bucketAlreadyExists();
		throw error;
	});
	return { name: id };
}

export async function updateBucket(ctx: CallContext, id: string, body: BucketBody) {
	const limit = readLimit(ctx.services, body.file_size_limit);
	const mimeTypes = readMimeTypes(body.allowed_mime_types);
	const updated = await runAsCaller(
		ctx.services,
		ctx.caller,
		ctx.request,
		'storage.bucket.update',
		async (tx) => {
			const { rows } = await tx.query(
				`update storage.buckets set
				public = coalesce($2, public),
				file_size_limit = case when $3 then $4 else file_size_limit end,
				allowed_mime_types = case when $5 then $6::text[] else allowed_mime_types end,
				updated_at = now()
			where id = $1 returning id`,
				[
					id,
					typeof body.public === 'boolean' ? body.public : null,
					limit !== undefined,
					limit ?? null,
					mimeTypes !== undefined,
					mimeTypes ?? null
				]
			);
			return rows[0];
		}
	);
	if (!updated) throw errors.noSuchBucket();
	return { message: 'Successfully updated' };
}

export async function deleteBucket(ctx: CallContext, id: string) {
	const deleted = await runAsCaller(
		ctx.services,
		ctx.caller,
		ctx.request,
		'storage.bucket.delete',
		async (tx) => {
			const found = await tx.query('select 1 from storage.buckets where id = $1', [id]);
			if (found.rows.length === 0) throw errors.noSuchBucket();
			const objects = await tx.query('select 1 from storage.objects where bucket_id = $1 limit 1', [
				id
			]);
			if (objects.rows.length > 0) throw errors.bucketNotEmpty();
			const { rows } = await tx.query('delete from storage.buckets where id = $1 returning id', [
				id
			]);
			return rows[0];
		}
	);
	if (!deleted) throw errors.accessDenied();
	return { message: 'Successfully deleted' };
}

/** Hosted empties asynchronously; here it happens before the answer, with the same message. */
export async function emptyBucket(ctx: CallContext, id: string) {
	await getBucket(ctx, id);
	const removed = await runAsService(ctx.services, 'storage.bucket.empty', async (tx) => {
		const { rows } = await tx.query<{ id: string; version: string | null }>(
			'delete from storage.objects where bucket_id = $1 returning id, version',
			[id]
		);
		return rows;
	});
	for (const row of removed)
		if (row.version)
			await ctx.services.files.remove(ctx.services.files.objectPath(id, row.id, row.version));
	return { message: 'Empty bucket has been queued. Completion may take up to an hour.' };
}

/** Upserts `[storage.buckets.<name>]` from config.toml, as `supabase start` seeds them. */
export async function upsertConfiguredBuckets(
	db: Database,
	buckets: Record<string, BucketConfig> | undefined
): Promise<void> {
	for (const [name, config] of Object.entries(buckets ?? {})) {
		mustBeValidBucketName(name);
		const limit = parseSize(config.file_size_limit);
		await db.query(
			`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
			values ($1, $1, $2, $3, $4)
			on conflict (id) do update set public = excluded.public,
				file_size_limit = excluded.file_size_limit,
				allowed_mime_types = excluded.allowed_mime_types, updated_at = now()`,
			[
				name,
				config.public === true,
				limit ? limit : null,
				config.allowed_mime_types?.length ? config.allowed_mime_types : null
			]
		);
	}
}
