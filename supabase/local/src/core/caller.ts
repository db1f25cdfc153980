/**
 * Who is calling, and running SQL as them. Postgres decides what they may do: every API request
 * runs in one transaction with `role` and `request.jwt.claims` set transaction-locally, exactly as
 * PostgREST and Supabase Storage do (spec §3.2, §4.1), so RLS policies and `auth.uid()` apply.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Database, Queryable, TransactionOptions } from './db.ts';
import {
	API_ROLES,
	JwtError,
	gatewayToken,
	type ApiRole,
	type JwtClaims,
	type Keys
} from './keys.ts';

export interface Caller {
	role: ApiRole;
	claims: JwtClaims;
	/** The verified JWT, or null when the request carried none. */
	token: string | null;
}

export const ANON_CALLER: Caller = { role: 'anon', claims: { role: 'anon' }, token: null };

/** Verifies the request's token. Throws JwtError for a bad token or a role that is not an API role. */
export async function resolveCaller(keys: Keys, headers: IncomingHttpHeaders): Promise<Caller> {
	const token = gatewayToken(headers);
	if (!token) return ANON_CALLER;
	const claims = await keys.verify(token);
	const role = claims.role ?? 'anon';
	if (!(API_ROLES as readonly string[]).includes(role))
		throw new JwtError(`role "${role}" does not exist`, 'claims');
	return { role: role as ApiRole, claims: { ...claims, role }, token };
}

export interface RequestInfo {
	method: string;
	/** Path as the service sees it, after its prefix (`/todos`, `/rpc/fn`, `/object/b/x`). */
	path: string;
	headers: IncomingHttpHeaders;
}

export interface AsCallerOptions extends TransactionOptions {
	/** Further transaction-local settings, e.g. `storage.operation`. */
	settings?: Record<string, string>;
}

/** Runs `fn` in one transaction impersonating the caller. Never hand `tx` to code outside `fn`. */
export function asCaller<T>(
	db: Database,
	caller: Caller,
	request: RequestInfo,
	fn: (tx: Queryable) => Promise<T>,
	options: AsCallerOptions = {}
): Promise<T> {
	const headers: Record<string, string | undefined> = {};
	for (const name in request.headers) {
		const value = request.headers[name];
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	const cookies = parseCookies(headers['cookie']);
	const settings: Record<string, string> = {
		search_path: 'public, extensions',
		role: caller.role,
		'request.jwt.claims': JSON.stringify(caller.claims),
		'request.jwt.claim.role': caller.role,
		'request.jwt.claim.sub': typeof caller.claims.sub === 'string' ? caller.claims.sub : '',
		'request.jwt': caller.token ?? '',
		'request.method': request.method,
		'request.path': request.path,
		'request.headers': JSON.stringify(headers),
		'request.cookies': JSON.stringify(cookies),
		...options.settings
	};
	const params: string[] = [];
	for (const name in settings) params.push(name, settings[name]);
	const sql = setConfigSql(params.length / 2);
	return db.transaction(async (tx) => {
		await tx.query(sql, params);
		return fn(tx);
	}, options);
}

const setConfigStatements: string[] = [];

/** `select set_config($1, $2, true), …` for `count` settings, built once per count. */
function setConfigSql(count: number): string {
	return (setConfigStatements[count] ??= `select ${Array.from(
		{ length: count },
		(_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`
	).join(', ')}`);
}

function parseCookies(header: string | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const part of (header ?? '').split(';')) {
		const i = part.indexOf('=');
		if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
	}
	return out;
}
