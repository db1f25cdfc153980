/**
 * One database interface over embedded PGlite or a real Postgres server.
 *
 * PGlite has a single connection, so every statement and transaction goes through one FIFO queue:
 * requests are served in arrival order and a transaction holds the connection until it ends.
 * Never call `db.query` from inside `db.transaction` (use the `tx` you were given): that would wait
 * for itself.
 */
import { mkdirSync } from 'node:fs';
import { PGlite, parse, protocol, types as pgliteTypes } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import pg from 'pg';

export interface QueryResult<R> {
	rows: R[];
	fields: { name: string; dataTypeID: number }[];
	affectedRows: number;
}

export interface Queryable {
	query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
	/** Runs one or more statements without parameters (migrations, bootstrap). */
	exec(sql: string): Promise<void>;
}

export interface TransactionOptions {
	readOnly?: boolean;
}

export interface Database extends Queryable {
	readonly kind: 'pglite' | 'postgres';
	transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
	/**
	 * Calls `onPayload` for every `NOTIFY <channel>` (on a real server over a dedicated
	 * connection, as PostgREST listens). Resolves once listening; returns the unsubscribe.
	 */
	listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
	close(): Promise<void>;
}

export interface OpenOptions {
	/** postgres://… to use a real server; otherwise PGlite. */
	url?: string;
	/** PGlite data directory; omitted means in-memory. */
	dataDir?: string;
}

/** bigint as a JS number when it fits, as Postgres' JSON rendering does for PostgREST. */
const parseInt8 = (value: string) => {
	const n = Number(value);
	return Number.isSafeInteger(n) ? n : value;
};

class FifoQueue {
	#tail: Promise<unknown> = Promise.resolve();
	run<T>(fn: () => Promise<T>): Promise<T> {
		const result = this.#tail.then(fn, fn);
		this.#tail = result.catch(() => undefined);
		return result;
	}
}

const beginSql = (options?: TransactionOptions) =>
	options?.readOnly ? 'begin isolation level read committed read only' : 'begin';

/** A parameter PGlite's one-message path can send as text without knowing its type. */
type Scalar = string | number | bigint | boolean | null | undefined;
const isScalar = (value: unknown): value is Scalar =>
	value === null || ['string', 'number', 'bigint', 'boolean', 'undefined'].includes(typeof value);

/**
 * `PGlite.query` makes six calls into Postgres per statement (parse, describe, bind, describe,
 * execute, sync) so it can pick serialisers by parameter type. With text-only parameters the
 * type does not matter: Postgres infers it at Parse exactly as before, so one batched message
 * does the same work in one call. Anything else (arrays, objects, dates, bytes) keeps the
 * regular path and its serialisers.
 */
async function pgliteQuery<R>(
	db: PGlite,
	sql: string,
	params: unknown[] = []
): Promise<QueryResult<R>> {
	if (!params.every(isScalar)) {
		const r = await db.query<R>(sql, params);
		return { rows: r.rows, fields: r.fields, affectedRows: r.affectedRows ?? 0 };
	}
	const values = params.map((value) =>
		value === null || value === undefined
			? null
			: typeof value === 'boolean'
				? value
					? 't'
					: 'f'
				: String(value)
	);
	const s = protocol.serialize;
	const parts = [
		s.parse({ text: sql }),
		s.bind({ values }),
		s.describe({ type: 'P' }),
		s.execute({}),
		s.sync()
	];
	const message = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let offset = 0;
	for (const part of parts) {
		message.set(part, offset);
		offset += part.length;
	}
	const messages = await db._runExclusiveTransaction(() =>
		db._runExclusiveQuery(() => db.execProtocolStream(message, { syncToFs: false }))
	);
	const [r] = parse.parseResults(messages, db.parsers);
	return {
		rows: (r?.rows ?? []) as R[],
		fields: r?.fields ?? [],
		affectedRows: r?.affectedRows ?? 0
	};
}

async function openPglite(dataDir?: string): Promise<Database> {
	if (dataDir) mkdirSync(dataDir, { recursive: true });
	const db = await PGlite.create({
		dataDir,
		extensions: { pgcrypto, uuid_ossp, pg_trgm, unaccent },
		parsers: { [pgliteTypes.INT8]: parseInt8 }
	});
	const queue = new FifoQueue();
	const direct: Queryable = {
		query: (sql, params) => pgliteQuery(db, sql, params),
		async exec(sql: string) {
			await db.exec(sql);
		}
	};
	return {
		kind: 'pglite',
		query: (sql, params) => queue.run(() => direct.query(sql, params)),
		exec: (sql) => queue.run(() => direct.exec(sql)),
		transaction: (fn, options) =>
			queue.run(async () => {
				await db.exec(beginSql(options));
				try {
					const result = await fn(direct);
					await db.exec('commit');
					return result;
				} catch (error) {
					await db.exec('rollback');
					throw error;
				}
			}),
		async listen(channel, onPayload) {
			const stop = await queue.run(() => db.listen(ident(channel), onPayload));
			return () => queue.run(() => stop());
		},
		close: () => queue.run(() => db.close())
	};
}

/**
 * The database cannot be reached: refused, dropped, shutting down or starting up. Every service
 * answers it with a 503 (PostgREST's PGRST000/PGRST001 for REST), so clients retry, and the next
 * query connects anew: the stack recovers by itself when the server is back.
 */
export class DatabaseUnavailableError extends Error {
	constructor(readonly reason: unknown) {
		super(`database unavailable: ${(reason as Error)?.message ?? String(reason)}`, {
			cause: reason
		});
		this.name = 'DatabaseUnavailableError';
	}
}

/** Node's socket codes and Postgres' connection, shutdown and start-up states. */
const CONNECTION_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENOTFOUND',
	'57P01',
	'57P02',
	'57P03'
]);

/** Whether `error` says the connection is gone, not that the statement was wrong. */
export function isConnectionFailure(error: unknown): boolean {
	if (error instanceof DatabaseUnavailableError) return true;
	const e = error as { code?: unknown; message?: unknown } | null;
	if (typeof e?.code === 'string') return CONNECTION_CODES.has(e.code) || /^08/.test(e.code);
	// node-postgres' own words for a socket that closed under a query.
	return (
		typeof e?.message === 'string' &&
		/^Connection terminated|^Client has encountered a connection error|^Connection ended/.test(
			e.message
		)
	);
}

function unavailableOr(error: unknown): unknown {
	return isConnectionFailure(error) && !(error instanceof DatabaseUnavailableError)
		? new DatabaseUnavailableError(error)
		: error;
}

/** How long a lost LISTEN connection waits before it connects again. */
const LISTEN_RETRY_MS = 1000;

async function openPostgres(url: string): Promise<Database> {
	const pool = new pg.Pool({ connectionString: url, max: 8 });
	// An idle connection dropped by the server or the network is an 'error' event on the pool;
	// unheard, it would crash the process. The pool discards that client and the next query connects.
	const ignore = () => undefined;
	pool.on('error', ignore);
	const int8Types = {
		getTypeParser: (oid: number, format?: 'text' | 'binary') =>
			oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)
	};
	const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
		async query<R>(sql: string, params?: unknown[]) {
			try {
				const r = await client.query({ text: sql, values: params, types: int8Types });
				return {
					rows: r.rows as R[],
					fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
					affectedRows: r.rowCount ?? 0
				};
			} catch (error) {
				throw unavailableOr(error);
			}
		},
		async exec(sql: string) {
			try {
				await client.query(sql);
			} catch (error) {
				throw unavailableOr(error);
			}
		}
	});
	const outside = wrap(pool);
	let closed = false;
	return {
		kind: 'postgres',
		query: outside.query,
		exec: outside.exec,
		async transaction(fn, options) {
			let client: pg.PoolClient;
			try {
				client = await pool.connect();
			} catch (error) {
				throw new DatabaseUnavailableError(error);
			}
			// Same for a checked-out client (the pool listens only while idle): the query fails anyway.
			client.on('error', ignore);
			let broken: unknown;
			try {
				const tx = wrap(client);
				await tx.exec(beginSql(options));
				try {
					const result = await fn(tx);
					await tx.exec('commit');
					return result;
				} catch (error) {
					// A connection that died mid-transaction cannot roll back: the server already did.
					if (isConnectionFailure(error)) throw (broken = unavailableOr(error));
					await tx.exec('rollback').catch((rollbackError: unknown) => {
						broken = rollbackError;
					});
					throw error;
				}
			} finally {
				client.off('error', ignore);
				// A broken client is destroyed instead of going back to the pool.
				client.release(broken instanceof Error ? broken : undefined);
			}
		},
		async listen(channel, onPayload) {
			let client: pg.Client | null = null;
			let stopped = false;
			let retry: ReturnType<typeof setTimeout> | undefined;
			const connect = async (initial: boolean): Promise<void> => {
				const next = new pg.Client({ connectionString: url });
				client = next;
				next.on('notification', (message) => {
					if (message.channel === channel) onPayload(message.payload ?? '');
				});
				// A lost listener connection must not take the process down: it connects again, and
				// then reports an empty payload (a reload), as notifications may have been missed.
				let lost = false;
				const reconnect = () => {
					if (lost || stopped || closed) return;
					lost = true;
					next.end().catch(() => undefined);
					retry = setTimeout(() => {
						connect(false).then(
							() => onPayload(''),
							() => undefined
						);
					}, LISTEN_RETRY_MS);
				};
				next.on('error', reconnect);
				next.on('end', reconnect);
				try {
					await next.connect();
					await next.query(`listen ${ident(channel)}`);
				} catch (error) {
					// At start-up the caller learns it (the stack does not start); later, try again.
					if (initial) {
						lost = true;
						await next.end().catch(() => undefined);
					} else reconnect();
					throw error;
				}
			};
			await connect(true);
			return async () => {
				stopped = true;
				clearTimeout(retry);
				await client?.end().catch(() => undefined);
			};
		},
		close: () => {
			closed = true;
			return pool.end();
		}
	};
}

/** A quoted identifier for LISTEN, which takes no parameters. */
function ident(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

export function openDatabase(options: OpenOptions = {}): Promise<Database> {
	return options.url ? openPostgres(options.url) : openPglite(options.dataDir);
}

/** Error raised by Postgres, normalised across PGlite and node-postgres. */
export interface PgError {
	code: string;
	message: string;
	detail?: string;
	hint?: string;
}

export function asPgError(error: unknown): PgError | null {
	if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
		const e = error as { code: string; message?: string; detail?: string; hint?: string };
		return { code: e.code, message: e.message ?? '', detail: e.detail, hint: e.hint };
	}
	return null;
}
