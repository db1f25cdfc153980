/**
 * Brings a database to the state `supabase start` + `supabase db reset` leave it in: the platform
 * objects (roles, schemas, auth, storage) from the `*.sql` files next to this module, then the
 * project's migrations (recorded like the CLI does), then the seed on a fresh database.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asPgError, type Database, type Queryable } from '../core/db.ts';
import { loadProjectConfig, type ProjectConfig } from '../core/config.ts';
import { extensionOf, splitStatements } from './sql-statements.ts';

export interface PrepareOptions {
	projectDir: string;
	/** Drop the app's schemas first (real Postgres; PGlite resets by deleting its data folder). */
	reset: boolean;
	skipSeed: boolean;
	log: (message: string) => void;
	/** Parsed config.toml; read from projectDir when omitted. */
	config?: ProjectConfig;
}

export interface PrepareResult {
	/** The database had no migration history before (or was reset). */
	fresh: boolean;
	/** Migration files applied in this run, in order. */
	applied: string[];
	/** Seed files executed in this run. */
	seeded: string[];
}

/** A migration or seed file that failed; the message names the file and the Postgres error. */
export class MigrationError extends Error {
	constructor(
		readonly file: string,
		readonly pgCode: string | undefined,
		message: string
	) {
		super(message);
	}
}

const BOOTSTRAP_DIR = dirname(fileURLToPath(import.meta.url));
const MIGRATION_FILE = /^(\d+)_(.*)\.sql$/;

/** Schemas that belong to Postgres itself and survive a reset. */
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];

/** Runs bootstrap, migrations and seed. Throws MigrationError when a project file fails. */
export async function prepareDatabase(
	db: Database,
	options: PrepareOptions
): Promise<PrepareResult> {
	const config = options.config ?? loadProjectConfig(options.projectDir);
	if (options.reset && db.kind === 'postgres') await dropAppSchemas(db, options.log);
	const fresh = options.reset || !(await schemaExists(db, 'supabase_migrations'));

	for (const file of bootstrapFiles()) {
		const sql = readFileSync(join(BOOTSTRAP_DIR, file), 'utf8');
		await withRetry(db, () => db.transaction((tx) => tx.exec(sql)), `bootstrap ${file}`);
	}
	await applyApiPrivileges(db, autoExposeNewTables(config));

	const applied = await applyMigrations(db, options.projectDir, options.log);
	const seeded =
		fresh && !options.skipSeed && config.db?.seed?.enabled !== false
			? await runSeed(db, options.projectDir, config, options.log)
			: [];
	return { fresh, applied, seeded };
}

/** `[api] auto_expose_new_tables` (default false, Supabase's default for new projects, spec §5.3). */
export function autoExposeNewTables(config: ProjectConfig): boolean {
	const api = config.api as { auto_expose_new_tables?: unknown } | undefined;
	return api?.auto_expose_new_tables === true;
}

function bootstrapFiles(): string[] {
	return readdirSync(BOOTSTRAP_DIR)
		.filter((name) => name.endsWith('.sql'))
		.sort();
}

async function schemaExists(db: Queryable, name: string): Promise<boolean> {
	const { rows } = await db.query('select 1 from pg_namespace where nspname = $1', [name]);
	return rows.length > 0;
}

/**
 * Roles and memberships are cluster-wide on a real server: two test databases bootstrapping at the
 * same moment can collide on catalog rows ("tuple concurrently updated"). The SQL is idempotent,
 * so running it again is the fix.
 */
async function withRetry(db: Database, fn: () => Promise<void>, what: string): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			await fn();
			return;
		} catch (error) {
			const pg = asPgError(error);
			const transient =
				db.kind === 'postgres' &&
				pg !== null &&
				(['40001', '40P01', '23505', 'XX000'].includes(pg.code) || /concurrently/.test(pg.message));
			if (!transient || attempt >= 5) {
				throw new Error(`${what} failed: ${pg ? `${pg.message} (${pg.code})` : String(error)}`, {
					cause: error
				});
			}
			await new Promise((done) => setTimeout(done, 50 * attempt));
		}
	}
}

/**
 * Legacy projects grant everything `postgres` creates in `public` to the API roles; new projects
 * (and this stack by default) grant nothing, so a table without explicit GRANTs fails with 42501.
 * Default privileges belong to the creating role: the session user that runs the migrations.
 */
async function applyApiPrivileges(db: Database, autoExpose: boolean): Promise<void> {
	const verb = autoExpose ? 'grant all on' : 'revoke all on';
	const direction = autoExpose ? 'to' : 'from';
	const roles = 'anon, authenticated, service_role';
	await db.exec(
		['tables', 'sequences', 'functions']
			.map(
				(kind) => `alter default privileges in schema public ${verb} ${kind} ${direction} ${roles};`
			)
			.join('\n')
	);
}

async function dropAppSchemas(db: Database, log: (message: string) => void): Promise<void> {
	const { rows } = await db.query<{ nspname: string }>(
		`select nspname from pg_namespace
		 where nspname <> all($1) and nspname not like 'pg\\_temp\\_%' and nspname not like 'pg\\_toast\\_temp\\_%'`,
		[SYSTEM_SCHEMAS]
	);
	const quoted = rows.map((r) => `"${r.nspname.replaceAll('"', '""')}"`);
	log(`reset: dropping schemas ${rows.map((r) => r.nspname).join(', ') || '(none)'}`);
	await db.transaction(async (tx) => {
		if (quoted.length) await tx.exec(`drop schema ${quoted.join(', ')} cascade`);
		await tx.exec(`drop publication if exists supabase_realtime;
			create schema public authorization pg_database_owner;
			grant usage on schema public to public;
			comment on schema public is 'standard public schema';`);
	});
}

async function applyMigrations(
	db: Database,
	projectDir: string,
	log: (message: string) => void
): Promise<string[]> {
	await db.exec(`create schema if not exists supabase_migrations;
		create table if not exists supabase_migrations.schema_migrations (
			version text not null primary key,
			statements text[],
			name text
		);`);
	const dir = join(projectDir, 'migrations');
	if (!existsSync(dir)) return [];
	const { rows } = await db.query<{ version: string }>(
		'select version from supabase_migrations.schema_migrations'
	);
	const done = new Set(rows.map((r) => r.version));
	const available = await availableExtensions(db);
	const applied: string[] = [];
	for (const file of readdirSync(dir).sort()) {
		const match = MIGRATION_FILE.exec(file);
		if (!match) {
			if (file.endsWith('.sql'))
				log(`skipping migration ${file}: name must be <version>_<name>.sql`);
			continue;
		}
		const [, version, name] = match;
		if (done.has(version)) continue;
		const original = readFileSync(join(dir, file), 'utf8');
		const sql = shimUnavailableExtensions(original, available, (ext) =>
			log(`migration ${file}: extension "${ext}" is not available here, statement skipped`)
		);
		try {
			await db.transaction(async (tx) => {
				await tx.exec(`set local search_path = public, extensions;\n${sql}`);
				// `db pull` output sets session-level GUCs (search_path = '', role …); they must not
				// outlive the migration on this (possibly pooled or only) connection.
				await tx.exec('reset all');
				await tx.query(
					'insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)',
					[version, [original], name]
				);
			});
		} catch (error) {
			throw fileError(`migration ${relative(projectDir, join(dir, file))}`, file, error);
		}
		log(`applied migration ${file}`);
		applied.push(file);
	}
	return applied;
}

async function availableExtensions(db: Queryable): Promise<Set<string>> {
	const { rows } = await db.query<{ name: string }>('select name from pg_available_extensions');
	return new Set(rows.map((r) => r.name));
}

/**
 * `create extension` for something the server lacks (pg_net, pg_cron, pgsodium, … on PGlite or a
 * plain Postgres) is turned into a comment, like the spec's §5.7 shim; everything else runs as is.
 * Statements are found by a lexer, so `create extension` in a comment, a string or a function body
 * is left alone.
 */
export function shimUnavailableExtensions(
	sql: string,
	available: Set<string>,
	onSkip: (name: string) => void = () => {}
): string {
	let out = '';
	let from = 0;
	for (const statement of splitStatements(sql)) {
		const name = extensionOf(statement.words);
		if (name === undefined || available.has(name)) continue;
		onSkip(name);
		const commented = statement.text
			.split('\n')
			.map((line) => `-- ${line}`)
			.join('\n');
		out += `${sql.slice(from, statement.start)}-- [supabase-local] skipped:\n${commented}\n`;
		from = statement.end;
	}
	return out + sql.slice(from);
}

async function runSeed(
	db: Database,
	projectDir: string,
	config: ProjectConfig,
	log: (message: string) => void
): Promise<string[]> {
	const patterns = config.db?.seed?.sql_paths ?? ['./seed.sql'];
	const seeded: string[] = [];
	for (const pattern of patterns) {
		for (const file of expandGlob(projectDir, pattern)) {
			const sql = readFileSync(file, 'utf8');
			try {
				await db.transaction(async (tx) => {
					await tx.exec(`set local search_path = public, extensions;\n${sql}`);
					await tx.exec('reset all');
				});
			} catch (error) {
				throw fileError(`seed ${relative(projectDir, file)}`, basename(file), error);
			}
			log(`seeded ${relative(projectDir, file)}`);
			seeded.push(file);
		}
	}
	return seeded;
}

/** The CLI accepts globs in `sql_paths`; `*` within the file name part is what projects use. */
function expandGlob(projectDir: string, pattern: string): string[] {
	const full = resolve(projectDir, pattern);
	const name = basename(full);
	if (!name.includes('*')) return existsSync(full) ? [full] : [];
	const dir = dirname(full);
	if (!existsSync(dir)) return [];
	const regex = new RegExp(
		`^${name
			.replace(/[.+^${}()|[\]\\]/g, '\\$&')
			.replaceAll('*', '.*')
			.replaceAll('?', '.')}$`
	);
	return readdirSync(dir)
		.filter((entry) => regex.test(entry))
		.sort()
		.map((entry) => join(dir, entry));
}

function fileError(what: string, file: string, error: unknown): MigrationError {
	const pg = asPgError(error);
	const detail = pg
		? `${pg.message} (SQLSTATE ${pg.code})${pg.detail ? `\n  detail: ${pg.detail}` : ''}${pg.hint ? `\n  hint: ${pg.hint}` : ''}`
		: String((error as Error)?.message ?? error);
	return new MigrationError(file, pg?.code, `${what} failed: ${detail}`);
}
