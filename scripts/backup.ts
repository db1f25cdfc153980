/**
 * Backup and restore of a whole project: the database's data (pg_dump, as the Supabase docs
 * restore it: plain SQL replayed with `session_replication_role = replica`) and every Storage
 * object through the Storage API, with a manifest of SHA-256 sums. The schema is not in the
 * backup: a restore target is an empty project with the migrations applied (`supabase db push`,
 * or the local stack with `--reset --no-seed`), so the restored data meets the schema it needs.
 * docs/operations.md is the procedure around it.
 *
 *   npm run backup -- --db-url postgres://… --url https://<ref>.supabase.co --secret-key sb_secret_… --out backups/2026-12-06
 *   npm run restore -- --db-url postgres://… --url … --secret-key … --from backups/2026-12-06
 *   npm run restore -- … --from backups/2026-12-06 --erasures "$LIVE_DB_URL" --erasures backups/2026-12-07
 *   npm run restore -- … --from backups/2026-12-06 --verify-only
 *
 * `--erasures` names where deletions made after the backup are recorded (the erasure register of the
 * live database, or of newer backups): every account and piece in it is deleted again, files
 * first, before the check (GDPR Art. 17: a restore never brings back what a person deleted).
 *
 * Restore ends by checking the target against the backup: every published piece is there with its
 * texts, and every object is byte-identical to the manifest. It exits 1 when anything differs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import {
	listAllObjects,
	walkObjects,
	publicMediaPaths,
	removeObjects
} from '../src/lib/server/participant/deletion.ts';

const run = promisify(execFile);

/** The schemas whose rows the backup holds; Storage's own tables follow the objects instead. */
const SCHEMAS = ['auth', 'public', 'private'];
/**
 * State that is only worth something while it runs, or rows the target's own migrations keep
 * (a hosted project's `auth.schema_migrations` is Supabase's, not ours).
 */
const EXCLUDED_DATA = [
	'auth.schema_migrations',
	'private.page_cache_version',
	'private.rate_buckets',
	'private.run_leases'
];

/**
 * Before the replay, in the same transaction: refuses a project that holds anyone's data (a restore
 * goes into a new project, never over a live one), then empties every table of ours the dump
 * refills. An empty project is not quite empty: migrations write singletons (project and site
 * settings) whose restored values must replace the defaults, not collide with them. Triggers are
 * off (`session_replication_role = replica`), so nothing reacts to these deletes.
 */
const EMPTY_OURS = `do $$
declare t record;
begin
	if exists (select from auth.users) or exists (select from public.pieces) then
		raise exception 'the target project is not empty: restore into a new project';
	end if;
	for t in
		select schemaname, tablename from pg_catalog.pg_tables
		where schemaname in ('public', 'private')
			and schemaname || '.' || tablename <> all (array[${EXCLUDED_DATA.map((table) => `'${table}'`).join(', ')}])
	loop
		execute pg_catalog.format('delete from %I.%I', t.schemaname, t.tablename);
	end loop;
end
$$`;

export interface Target {
	/** Postgres connection string of the project's database. */
	dbUrl: string;
	/** The project's API URL and its secret key (service role). */
	url: string;
	secretKey: string;
}

interface ManifestObject {
	bucket: string;
	path: string;
	sha256: string;
	bytes: number;
	contentType: string;
	cacheControl: string;
}

export interface Erasure {
	kind: 'account' | 'piece';
	subject_id: string;
	maker_id: string | null;
	erased_at: string;
}

interface Manifest {
	createdAt: string;
	database: string;
	objects: ManifestObject[];
	published: { id: string; texts: number }[];
}

/** The newest client tools this machine has: Debian's are in /usr/lib/postgresql/<v>/bin. */
function pgTool(name: string): string {
	for (const version of ['17', '16', '15']) {
		const path = `/usr/lib/postgresql/${version}/bin/${name}`;
		if (existsSync(path)) return path;
	}
	return name;
}

function storage(target: Target): SupabaseClient {
	return createClient(target.url, target.secretKey, {
		auth: { persistSession: false, autoRefreshToken: false }
	});
}

/** Every object of every bucket with its size, type and cache header. */
async function listObjects(client: SupabaseClient): Promise<Omit<ManifestObject, 'sha256'>[]> {
	const { data: buckets, error } = await client.storage.listBuckets();
	if (error) throw new Error(`listBuckets: ${error.message}`);
	const objects: Omit<ManifestObject, 'sha256'>[] = [];
	for (const bucket of buckets) {
		for (const { path, metadata } of await walkObjects(client, bucket.id, '')) {
			objects.push({
				bucket: bucket.id,
				path,
				bytes: Number(metadata?.size ?? 0),
				contentType: String(metadata?.mimetype ?? 'application/octet-stream'),
				cacheControl: String(metadata?.cacheControl ?? 'max-age=3600')
			});
		}
	}
	return objects;
}

async function download(client: SupabaseClient, bucket: string, path: string): Promise<Buffer> {
	const { data, error } = await client.storage.from(bucket).download(path);
	if (error) throw new Error(`download ${bucket}/${path}: ${error.message}`);
	return Buffer.from(await data.arrayBuffer());
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function publishedPieces(dbUrl: string): Promise<{ id: string; texts: number }[]> {
	const client = new pg.Client({ connectionString: dbUrl });
	await client.connect();
	try {
		const { rows } = await client.query<{ id: string; texts: number }>(
			`select p.id, count(t.*)::int as texts from public.pieces p
			 left join public.piece_texts t on t.piece_id = p.id
			 where p.status = 'published' group by p.id order by p.id`
		);
		return rows;
	} finally {
		await client.end();
	}
}

/** Writes `<out>/database.sql`, `<out>/storage/<bucket>/<path>` and `<out>/manifest.json`. */
export async function backup(target: Target, out: string): Promise<Manifest> {
	mkdirSync(out, { recursive: true });
	const database = join(out, 'database.sql');
	await run(
		pgTool('pg_dump'),
		[
			'--data-only',
			'--no-owner',
			'--no-privileges',
			'--no-unlogged-table-data',
			...SCHEMAS.map((schema) => `--schema=${schema}`),
			...EXCLUDED_DATA.map((table) => `--exclude-table-data=${table}`),
			`--file=${database}`,
			target.dbUrl
		],
		{ maxBuffer: 64 * 1024 * 1024 }
	);
	const client = storage(target);
	const objects: ManifestObject[] = [];
	for (const object of await listObjects(client)) {
		const bytes = await download(client, object.bucket, object.path);
		const file = join(out, 'storage', object.bucket, object.path);
		mkdirSync(dirname(file), { recursive: true });
		writeFileSync(file, bytes);
		objects.push({ ...object, bytes: bytes.length, sha256: sha256(bytes) });
	}
	const manifest: Manifest = {
		createdAt: new Date().toISOString(),
		database: sha256(readFileSync(database)),
		objects,
		published: await publishedPieces(target.dbUrl)
	};
	writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	// The register on its own, so a later restore of an older backup can read it without a database.
	writeFileSync(
		join(out, 'erasures.json'),
		`${JSON.stringify(await erasuresIn(target.dbUrl), null, '\t')}\n`
	);
	return manifest;
}

/** What a restore deleted again: these are expected to be missing. */
export interface Erased {
	pieces: Set<string>;
	/** `<bucket>/<path>` */
	objects: Set<string>;
}

/**
 * Differences between the backup and what `target` holds now, leaving out what was `erased`
 * again; empty when they agree.
 */
export async function verify(
	target: Target,
	from: string,
	erased: Erased = { pieces: new Set(), objects: new Set() }
): Promise<string[]> {
	const manifest = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8')) as Manifest;
	manifest.published = manifest.published.filter((piece) => !erased.pieces.has(piece.id));
	manifest.objects = manifest.objects.filter(
		(object) => !erased.objects.has(`${object.bucket}/${object.path}`)
	);
	const problems: string[] = [];
	const published = new Map(
		(await publishedPieces(target.dbUrl)).map((piece) => [piece.id, piece.texts])
	);
	for (const piece of manifest.published) {
		if (!published.has(piece.id)) problems.push(`published piece ${piece.id} is missing`);
		else if (published.get(piece.id) !== piece.texts)
			problems.push(`piece ${piece.id} has ${published.get(piece.id)} texts, not ${piece.texts}`);
	}
	const client = storage(target);
	for (const object of manifest.objects) {
		try {
			const bytes = await download(client, object.bucket, object.path);
			if (sha256(bytes) !== object.sha256) problems.push(`${object.bucket}/${object.path} differs`);
		} catch (error) {
			problems.push((error as Error).message);
		}
	}
	return problems;
}

/**
 * Loads a backup into an empty project (migrations applied, no seed): the rows with triggers off
 * (`session_replication_role = replica`, so no trigger writes a second copy of a restored row),
 * in one transaction, then every object through the Storage API. Returns `verify`'s findings.
 */
export async function restore(
	target: Target,
	from: string,
	erasures: Erasure[] = []
): Promise<string[]> {
	const manifest = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8')) as Manifest;
	const database = join(from, 'database.sql');
	if (sha256(readFileSync(database)) !== manifest.database) {
		throw new Error(`${database} does not match its manifest: the backup is damaged`);
	}
	await run(
		pgTool('psql'),
		[
			'--no-psqlrc',
			'--single-transaction',
			'--variable=ON_ERROR_STOP=1',
			'--quiet',
			'--command=set session_replication_role = replica',
			`--command=${EMPTY_OURS}`,
			`--file=${database}`,
			`--dbname=${target.dbUrl}`
		],
		{ maxBuffer: 64 * 1024 * 1024 }
	);
	const client = storage(target);
	for (const object of manifest.objects) {
		const bytes = readFileSync(join(from, 'storage', object.bucket, object.path));
		const { error } = await client.storage.from(object.bucket).upload(object.path, bytes, {
			contentType: object.contentType,
			cacheControl: /max-age=(\d+)/.exec(object.cacheControl)?.[1] ?? '3600',
			upsert: true
		});
		if (error) throw new Error(`upload ${object.bucket}/${object.path}: ${error.message}`);
	}
	return verify(target, from, await eraseAgain(client, erasures));
}

/** The erasure register of the database at `dbUrl`. */
export async function erasuresIn(dbUrl: string): Promise<Erasure[]> {
	const client = new pg.Client({ connectionString: dbUrl });
	await client.connect();
	try {
		const { rows } = await client.query<Erasure>(
			`select kind, subject_id, maker_id, erased_at from private.erasures order by erased_at, id`
		);
		return rows.map((row) => ({ ...row, erased_at: new Date(row.erased_at).toISOString() }));
	} finally {
		await client.end();
	}
}

/** The register from a backup folder (its erasures.json) or a database URL. */
export async function readErasures(source: string): Promise<Erasure[]> {
	if (/^postgres(ql)?:\/\//.test(source)) return erasuresIn(source);
	return JSON.parse(readFileSync(join(source, 'erasures.json'), 'utf8')) as Erasure[];
}

/**
 * Deletes again, with the service role, every account and piece of the register that the restored
 * data still holds: the files first (public copies, masters, voice notes, originals), then the
 * rows, as src/lib/server/participant/deletion.ts does for the person themselves.
 */
export async function eraseAgain(client: SupabaseClient, erasures: Erasure[]): Promise<Erased> {
	const erased: Erased = { pieces: new Set(), objects: new Set() };
	const remove = async (bucket: string, paths: string[]) => {
		await removeObjects(client, bucket, paths);
		for (const path of paths) erased.objects.add(`${bucket}/${path}`);
	};
	const accounts = new Set(erasures.filter((e) => e.kind === 'account').map((e) => e.subject_id));
	const pieces = new Map(
		erasures.filter((e) => e.kind === 'piece').map((e) => [e.subject_id, e.maker_id])
	);
	for (const account of accounts) {
		const { data, error } = await client.from('pieces').select('id').eq('maker_id', account);
		if (error) throw new Error(`pieces of ${account}: ${error.message}`);
		for (const { id } of data) pieces.set(id as string, account);
	}
	for (const [pieceId, makerId] of pieces) {
		erased.pieces.add(pieceId);
		await remove('public-media', await publicMediaPaths(client, pieceId));
		if (makerId) {
			for (const bucket of ['masters', 'voice-notes']) {
				await remove(bucket, await listAllObjects(client, bucket, `${makerId}/${pieceId}`));
			}
		}
		const { error } = await client.from('pieces').delete().eq('id', pieceId);
		if (error) throw new Error(`delete piece ${pieceId}: ${error.message}`);
	}
	for (const account of accounts) {
		for (const bucket of ['masters', 'voice-notes', 'originals']) {
			await remove(bucket, await listAllObjects(client, bucket, account));
		}
		const { error } = await client.auth.admin.deleteUser(account);
		if (error && error.status !== 404) throw new Error(`delete user ${account}: ${error.message}`);
	}
	return erased;
}

async function main(): Promise<void> {
	const [command, ...rest] = process.argv.slice(2);
	const { values } = parseArgs({
		args: rest,
		options: {
			'db-url': { type: 'string', default: process.env.DATABASE_URL },
			url: { type: 'string', default: process.env.PUBLIC_SUPABASE_URL },
			'secret-key': { type: 'string', default: process.env.SUPABASE_SECRET_KEY },
			out: { type: 'string' },
			from: { type: 'string' },
			erasures: { type: 'string', multiple: true, default: [] },
			'verify-only': { type: 'boolean', default: false }
		}
	});
	const target: Target = {
		dbUrl: values['db-url'] ?? '',
		url: values.url ?? '',
		secretKey: values['secret-key'] ?? ''
	};
	if (!target.dbUrl || !target.url || !target.secretKey) {
		throw new Error('--db-url, --url and --secret-key (or their environment variables) are needed');
	}
	if (command === 'backup' && values.out) {
		const manifest = await backup(target, values.out);
		console.log(
			`backup in ${values.out}: database.sql, ${manifest.objects.length} objects, ${manifest.published.length} published pieces`
		);
		return;
	}
	if (command === 'restore' && values.from) {
		const erasures = (await Promise.all((values.erasures ?? []).map(readErasures))).flat();
		const problems = values['verify-only']
			? await verify(target, values.from)
			: await restore(target, values.from, erasures);
		for (const problem of problems) console.error(`  ✗ ${problem}`);
		if (problems.length > 0) process.exit(1);
		console.log(
			`restored and verified from ${values.from}: every published piece and object is back`
		);
		return;
	}
	throw new Error('usage: backup.ts backup --out DIR | restore --from DIR [--verify-only]');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	main().catch((error: unknown) => {
		console.error((error as Error).message);
		process.exit(1);
	});
}
