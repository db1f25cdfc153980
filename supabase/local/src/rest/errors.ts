/**
 * PostgREST's error shape and status mapping (spec §3.12): every failure answers
 * `{code, message, details, hint}` with the status PostgREST would use.
 */
import type { PgError } from '../core/db.ts';

export type ErrorDetails = string | null | unknown[];

export class RestError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details: ErrorDetails = null,
		readonly hint: string | null = null,
		readonly headers: Record<string, string> = {}
	) {
		super(message);
	}

	body(): Record<string, unknown> {
		return { code: this.code, details: this.details, hint: this.hint, message: this.message };
	}
}

/** A query-string or header the parser cannot read (PGRST100). */
export function parseError(message: string, details: string | null = null): RestError {
	return new RestError(400, 'PGRST100', message, details);
}

/** Something PostgREST supports that this service does not: a loud 400, never a different result. */
export function notImplemented(what: string): RestError {
	return new RestError(
		400,
		'PGRST127',
		'Feature not implemented',
		`${what} is not supported by the local REST service`
	);
}

/** PGRST205, with a hint when a table differs only in case. */
export function tableNotFound(schema: string, table: string, suggestion?: string): RestError {
	return new RestError(
		404,
		'PGRST205',
		`Could not find the table '${schema}.${table}' in the schema cache`,
		null,
		suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null
	);
}

/** PGRST204: a payload key that is not a column. */
export function columnNotFound(column: string, table: string): RestError {
	return new RestError(
		400,
		'PGRST204',
		`Could not find the '${column}' column of '${table}' in the schema cache`
	);
}

/** Cardinality of a singular (`vnd.pgrst.object+json`) response was not exactly one. */
export function singularityError(rows: number): RestError {
	return new RestError(
		406,
		'PGRST116',
		'Cannot coerce the result to a single JSON object',
		`The result contains ${rows} rows`
	);
}

/** SQLSTATE → HTTP status, as PostgREST's `mapSQLtoHTTP`. `anon` picks 401 over 403 for 42501. */
export function statusForSqlState(error: PgError, anon: boolean): number {
	const code = error.code;
	if (code === '42501') return anon ? 401 : 403;
	if (code === '23503' || code === '23505') return 409;
	if (code === '25006') return 405;
	if (code === '21000') return error.message.endsWith('requires a WHERE clause') ? 400 : 500;
	if (code === '22023') return /^role .* does not exist$/.test(error.message) ? 401 : 400;
	if (code === '42883' || code === '42P01') return 404;
	if (code === '42P17') return 500;
	if (code === 'P0001') return 400;
	if (code.startsWith('PT')) {
		const status = Number(code.slice(2));
		return Number.isInteger(status) && status >= 100 && status < 600 ? status : 500;
	}
	if (code.startsWith('P0')) return 500;
	if (code === '53400') return 500;
	if (['08', '53'].some((p) => code.startsWith(p)) || code === '57P01') return 503;
	const serverClasses = [
		'09',
		'25',
		'2D',
		'38',
		'39',
		'3B',
		'40',
		'54',
		'55',
		'57',
		'58',
		'F0',
		'HV',
		'XX'
	];
	if (serverClasses.some((p) => code.startsWith(p))) return 500;
	if (['0L', '0P', '28'].some((p) => code.startsWith(p))) return 403;
	return 400;
}

/** Converts a Postgres error into PostgREST's JSON error. */
export function fromPgError(error: PgError, anon: boolean): RestError {
	return new RestError(
		statusForSqlState(error, anon),
		error.code,
		error.message,
		error.detail ?? null,
		error.hint ?? null
	);
}
