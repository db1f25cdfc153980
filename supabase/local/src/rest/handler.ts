/**
 * One REST request from HTTP to response: authentication, negotiation, SQL building and running it
 * as the caller in one transaction (spec §3.2), and PostgREST's statuses and headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { asCaller, resolveCaller, type Caller } from '../core/caller.ts';
import { asPgError, DatabaseUnavailableError, type Database, type Queryable } from '../core/db.ts';
import { JwtError, gatewayToken, type Keys } from '../core/keys.ts';
import {
	RestError,
	fromPgError,
	notImplemented,
	singularityError,
	tableNotFound
} from './errors.ts';
import {
	buildDeleteCte,
	buildInsertCte,
	buildUpdateCte,
	tracksInserts,
	type JsonObject
} from './mutation-builder.ts';
import {
	negotiate,
	parsePrefer,
	parseRange,
	pickSchema,
	type MediaChoice,
	type PlanChoice,
	type Preferences
} from './negotiation.ts';
import { parseQuery, type QueryParams } from './query-params.ts';
import {
	buildReadSql,
	checkUnusedNodes,
	newReadContext,
	type ReadContext
} from './read-builder.ts';
import { buildCall, callRowsSql, findFunction, isRpcQueryArgument } from './rpc-builder.ts';
import { key, type Relation, type RestFunction, type SchemaCache } from './schema-cache.ts';
import { compactParams, ident, qualified } from './sql.ts';

export interface RestRequest {
	method: string;
	/** Path after `/rest/v1`. */
	path: string;
	search: URLSearchParams;
	headers: IncomingHttpHeaders;
	body: Buffer | null;
}

export interface RestResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
}

export interface RestEnvironment {
	db: Database;
	keys: Keys;
	schemas: string[];
	extraSearchPath: string[];
	maxRows?: number;
	/** `db-plan-enabled`: answer `Accept: application/vnd.pgrst.plan` with the statement's EXPLAIN. */
	planEnabled?: boolean;
	/** PostgREST's `db-aggregates-enabled` (in-database setting `pgrst.db_aggregates_enabled`). */
	aggregatesEnabled?: boolean;
	cache(): SchemaCache;
	reload(): Promise<void>;
}

/** Errors that may only mean the cache is stale (an object created after start-up). */
const CACHE_MISS_CODES = new Set(['PGRST200', 'PGRST202', 'PGRST204', 'PGRST205']);

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers one request; never throws. */
export async function handleRest(
	env: RestEnvironment,
	request: RestRequest
): Promise<RestResponse> {
	let caller: Caller | null = null;
	try {
		caller = await authenticate(env, request.headers);
		try {
			return await route(env, caller, request);
		} catch (error) {
			if (!(error instanceof RestError) || !CACHE_MISS_CODES.has(error.code)) throw error;
			await env.reload();
			return await route(env, caller, request);
		}
	} catch (error) {
		if (error instanceof PlanAnswer) return error.response;
		const rest = toRestError(
			error,
			caller?.role !== 'service_role' && caller?.role !== 'authenticated'
		);
		return errorResponse(rest);
	}
}

function errorResponse(error: RestError): RestResponse {
	return {
		status: error.status,
		headers: { 'content-type': JSON_TYPE, ...error.headers },
		body: JSON.stringify(error.body())
	};
}

function toRestError(error: unknown, anon: boolean): RestError {
	if (error instanceof RestError) return error;
	// PostgREST's answer when its pool cannot reach the server.
	if (error instanceof DatabaseUnavailableError)
		return new RestError(503, 'PGRST000', 'Database connection error. Retrying the connection.');
	const pg = asPgError(error);
	if (pg) return fromPgError(pg, anon);
	// PGlite validates some parameter values in JavaScript before Postgres sees them.
	if (error instanceof Error && error.message.startsWith('Invalid input for '))
		return new RestError(400, '22P02', `invalid input syntax: ${error.message}`);
	throw error;
}

/** Verified tokens by value, as PostgREST's JWT cache: signature checks dominate small reads. */
const verifiedByKeys = new WeakMap<Keys, Map<string, { caller: Caller; until: number }>>();
const JWT_CACHE_SIZE = 1000;

async function authenticate(env: RestEnvironment, headers: IncomingHttpHeaders): Promise<Caller> {
	let verified = verifiedByKeys.get(env.keys);
	if (!verified) verifiedByKeys.set(env.keys, (verified = new Map()));
	const token = gatewayToken(headers);
	const hit = token ? verified.get(token) : undefined;
	if (hit && hit.until > Date.now()) return hit.caller;
	try {
		const caller = await resolveCaller(env.keys, headers);
		if (token && typeof caller.claims.exp === 'number') {
			if (verified.size >= JWT_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
			verified.set(token, { caller, until: caller.claims.exp * 1000 });
		}
		return caller;
	} catch (error) {
		if (!(error instanceof JwtError)) throw error;
		const code = error.reason === 'expired' || error.reason === 'claims' ? 'PGRST303' : 'PGRST301';
		throw new RestError(401, code, error.message, null, null, {
			'www-authenticate': `Bearer error="invalid_token", error_description="${error.message.replaceAll('"', "'")}"`
		});
	}
}

interface Target {
	kind: 'relation' | 'rpc';
	name: string;
}

function parsePath(path: string): Target {
	const segments = path.split('/').slice(1).map(decodeURIComponent);
	if (segments.length === 1 && segments[0] !== '') return { kind: 'relation', name: segments[0] };
	if (segments.length === 2 && segments[0] === 'rpc' && segments[1] !== '')
		return { kind: 'rpc', name: segments[1] };
	if (segments.length === 1) throw notImplemented('the OpenAPI description at the root path');
	throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

interface Common {
	env: RestEnvironment;
	caller: Caller;
	request: RestRequest;
	schema: string;
	prefs: Preferences;
	media: MediaChoice;
	readOnly: boolean;
}

async function route(
	env: RestEnvironment,
	caller: Caller,
	request: RestRequest
): Promise<RestResponse> {
	const reading = request.method === 'GET' || request.method === 'HEAD';
	const planKey = reading ? readPlanKey(env, request) : null;
	const planned = planKey === null ? undefined : readPlans(env).get(planKey);
	if (planned) return runRead({ env, caller, request, ...planned.common }, planned);
	const target = parsePath(request.path);
	const method = request.method;
	const schema = pickSchema(
		header(request.headers, reading ? 'accept-profile' : 'content-profile'),
		env.schemas
	);
	const common: Common = {
		env,
		caller,
		request,
		schema,
		prefs: parsePrefer(request.headers['prefer']),
		media: negotiate(header(request.headers, 'accept'), env.planEnabled),
		readOnly: reading
	};
	if (target.kind === 'rpc') return callFunction(common, target.name);
	const relation = await findRelation(env, schema, target.name);
	switch (method) {
		case 'GET':
		case 'HEAD': {
			const plan = planRead(common, relation);
			if (planKey !== null) rememberPlan(env, planKey, plan);
			return runRead(common, plan);
		}
		case 'POST':
			return insert(common, relation);
		case 'PATCH':
			return update(common, relation);
		case 'DELETE':
			return remove(common, relation);
		case 'PUT':
			throw notImplemented('PUT (single-row upsert)');
		default:
			throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
	}
}

async function findRelation(env: RestEnvironment, schema: string, name: string): Promise<Relation> {
	const relation = env.cache().relations.get(key(schema, name));
	if (relation) return relation;
	const names = [...env.cache().relations.values()]
		.filter((r) => r.schema === schema)
		.map((r) => r.name);
	throw tableNotFound(
		schema,
		name,
		names.find((n) => n.toLowerCase() === name.toLowerCase())
	);
}

/** Runs the statement as the caller and returns its single result row. */
async function run(
	c: Common,
	sql: string,
	params: unknown[],
	check?: (row: ResultRow) => void,
	after?: (tx: Queryable, row: ResultRow) => Promise<void>
): Promise<ResultRow> {
	const searchPath = searchPathFor(c.env, c.schema);
	if (c.media.plan) throw new PlanAnswer(await explain(c, c.media.plan, sql, params, searchPath));
	return asCaller(
		c.env.db,
		c.caller,
		{ method: c.request.method, path: c.request.path, headers: c.request.headers },
		async (tx: Queryable) => {
			const row = (await tx.query<ResultRow>(sql, params)).rows[0];
			check?.(row);
			if (after) await after(tx, row);
			return row;
		},
		{ readOnly: c.readOnly, settings: { search_path: searchPath } }
	);
}

/**
 * The answer to a plan media type, raised from `run` so every kind of request (read, write, call)
 * explains exactly the statement it would have run, as PostgREST wraps its main query.
 */
class PlanAnswer extends Error {
	constructor(readonly response: RestResponse) {
		super('plan');
	}
}

/** `EXPLAIN (FORMAT …, options)` of the statement, in the caller's transaction; always 200. */
async function explain(
	c: Common,
	plan: PlanChoice,
	sql: string,
	params: unknown[],
	searchPath: string
): Promise<RestResponse> {
	const options = [
		`FORMAT ${plan.format.toUpperCase()}`,
		...plan.options.map((o) => o.toUpperCase())
	];
	const rows = await asCaller(
		c.env.db,
		c.caller,
		{ method: c.request.method, path: c.request.path, headers: c.request.headers },
		async (tx: Queryable) =>
			(await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (${options.join(', ')}) ${sql}`, params))
				.rows,
		{ readOnly: c.readOnly, settings: { search_path: searchPath } }
	);
	const lines = rows.map((r) => r['QUERY PLAN']);
	const body =
		plan.format === 'json'
			? typeof lines[0] === 'string'
				? lines[0]
				: JSON.stringify(lines[0])
			: lines.join('\n');
	return { status: 200, headers: { 'content-type': plan.contentType }, body };
}

const searchPaths = new Map<string, string>();

/** PostgREST's `search_path`: the request's schema, then `[api] extra_search_path`. */
function searchPathFor(env: RestEnvironment, schema: string): string {
	const cacheKey = `${schema}\u0000${env.extraSearchPath.join('\u0000')}`;
	let path = searchPaths.get(cacheKey);
	if (path === undefined) {
		path = [schema, ...env.extraSearchPath.filter((s) => s !== schema)].map(ident).join(', ');
		if (searchPaths.size >= 100) searchPaths.clear();
		searchPaths.set(cacheKey, path);
	}
	return path;
}

interface ResultRow {
	total_count: number | string | null;
	page_total: number | string;
	body: string | null;
	/** Upserts: false when every written row already existed. */
	inserted?: boolean;
}

function singularCheck(c: Common): ((row: ResultRow) => void) | undefined {
	const limit = c.prefs.strict ? c.prefs.maxAffected : undefined;
	if (!c.media.singular && limit === undefined) return undefined;
	return (row) => {
		const n = Number(row.page_total);
		if (c.media.singular && n !== 1) throw singularityError(n);
		if (limit !== undefined && n > limit)
			throw new RestError(
				400,
				'PGRST124',
				'Query result exceeds max-affected preference constraint',
				`The query affects ${n} rows`
			);
	};
}

function contentType(c: Common): string {
	if (c.media.csv) return 'text/csv; charset=utf-8';
	return c.media.singular ? 'application/vnd.pgrst.object+json; charset=utf-8' : JSON_TYPE;
}

/** Unwraps the one-element array of a singular response without re-serialising its values. */
function singularBody(body: string): string {
	return body.replace(/^\[\s*/, '').replace(/\s*\]$/, '');
}

function readWindow(c: Common, q: QueryParams): { limit?: number; offset: number } {
	const top = q.nodes.get('')!;
	let offset = top.offset ?? 0;
	let limit = top.limit;
	const range =
		c.request.method === 'GET' || c.request.method === 'HEAD'
			? parseRange(header(c.request.headers, 'range'))
			: null;
	if (range) {
		offset += range.offset;
		if (range.limit !== undefined)
			limit = limit === undefined ? range.limit : Math.min(limit, range.limit);
	}
	if (c.env.maxRows !== undefined)
		limit = limit === undefined ? c.env.maxRows : Math.min(limit, c.env.maxRows);
	return { limit, offset };
}

/** `Preference-Applied` for a read or a call: PostgREST names the count it honoured. */
function countApplied(c: Common): Record<string, string> {
	return c.prefs.count ? { 'preference-applied': `count=${c.prefs.count}` } : {};
}

/**
 * PostgREST's `planned` total is the planner's row estimate of the count query; `estimated` keeps
 * the exact count unless it exceeds `max_rows`, then takes the larger of it and the estimate.
 */
async function plannedTotal(
	c: Common,
	explain: { sql: string; params: readonly unknown[] },
	tx: Queryable,
	row: ResultRow
): Promise<void> {
	const exact = row.total_count === null ? null : Number(row.total_count);
	// Haskell's `Just total > Nothing` holds, so without max_rows an estimate is always taken.
	if (c.prefs.count === 'estimated' && c.env.maxRows !== undefined && (exact ?? 0) <= c.env.maxRows)
		return;
	const result = await tx.query<{ 'QUERY PLAN': unknown }>(explain.sql, [...explain.params]);
	const raw = result.rows[0]?.['QUERY PLAN'];
	const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
		Plan: { 'Plan Rows': number };
	}[];
	const estimate = plan[0]?.Plan['Plan Rows'] ?? null;
	row.total_count = c.prefs.count === 'planned' ? estimate : Math.max(exact ?? 0, estimate ?? 0);
}

function readResponse(c: Common, row: ResultRow, offset: number, singularOk = true): RestResponse {
	const pageTotal = Number(row.page_total);
	const total = row.total_count === null ? null : Number(row.total_count);
	const upper = offset + pageTotal - 1;
	let status = 200;
	if (total !== null) {
		if (offset > total)
			throw new RestError(
				416,
				'PGRST103',
				'Requested range not satisfiable',
				`An offset of ${offset} was requested, but there are only ${total} rows.`,
				null,
				{
					'content-range': `*/${total}`
				}
			);
		if (1 + upper - offset < total) status = 206;
	}
	const range = `${pageTotal === 0 ? '*' : `${offset}-${upper}`}/${total ?? '*'}`;
	const body =
		c.request.method === 'HEAD'
			? ''
			: c.media.singular && singularOk
				? singularBody(row.body ?? '')
				: (row.body ?? '[]');
	return {
		status,
		headers: { 'content-type': contentType(c), 'content-range': range, ...countApplied(c) },
		body
	};
}

/**
 * Everything a read derives from the request before the database: the statement, its parameters
 * and the negotiated shape of the answer. It depends only on the request line and the headers named
 * in `readPlanKey`, the schema cache and the `[api]` settings, so identical reads (a page polling
 * the same list) reuse it, as PostgREST's own parse results are pure functions of the request.
 */
interface ReadPlan {
	common: Pick<Common, 'schema' | 'prefs' | 'media' | 'readOnly'>;
	sql: string;
	params: readonly unknown[];
	offset: number;
	/** `count=planned|estimated`: EXPLAIN of the count query, run after the statement. */
	explain?: { sql: string; params: readonly unknown[] };
}

const READ_PLAN_LIMIT = 500;
const readPlansByCache = new WeakMap<SchemaCache, Map<string, ReadPlan>>();

/** The plans of the current schema cache: a reload starts afresh, so no plan outlives its tables. */
function readPlans(env: RestEnvironment): Map<string, ReadPlan> {
	const cache = env.cache();
	let plans = readPlansByCache.get(cache);
	if (!plans) readPlansByCache.set(cache, (plans = new Map()));
	return plans;
}

function rememberPlan(env: RestEnvironment, planKey: string, plan: ReadPlan): void {
	const plans = readPlans(env);
	if (plans.size >= READ_PLAN_LIMIT) plans.delete(plans.keys().next().value as string);
	plans.set(planKey, plan);
}

/** Every input of `planRead`; the `[api]` settings too, as `reload config` may precede the reload. */
function readPlanKey(env: RestEnvironment, request: RestRequest): string {
	const h = request.headers;
	return [
		request.method,
		request.path,
		request.search.toString(),
		header(h, 'accept-profile'),
		header(h, 'prefer'),
		header(h, 'accept'),
		header(h, 'range'),
		env.maxRows,
		env.planEnabled,
		env.aggregatesEnabled,
		env.schemas.join(','),
		env.extraSearchPath.join(',')
	].join('\u0000');
}

function planRead(c: Common, relation: Relation): ReadPlan {
	const q = parseQuery(c.request.search);
	const ctx = newReadContext(c.env.cache(), q.nodes);
	ctx.aggregatesEnabled = c.env.aggregatesEnabled ?? false;
	const { limit, offset } = readWindow(c, q);
	const sql = buildReadSql(ctx, {
		ctes: [],
		from: qualified(relation.schema, relation.name),
		alias: ident(relation.name),
		relation,
		select: q.select,
		topModifiers: true,
		count: c.prefs.count === 'exact' || c.prefs.count === 'estimated',
		limit,
		offset,
		stripNulls: c.media.stripNulls,
		csv: c.media.csv
	});
	checkUnusedNodes(ctx);
	const { schema, prefs, media, readOnly } = c;
	let explain: ReadPlan['explain'];
	if (ctx.countSql && (prefs.count === 'planned' || prefs.count === 'estimated')) {
		const [text, values] = compactParams(
			`EXPLAIN (FORMAT JSON) ${ctx.countSql}`,
			ctx.params.values
		);
		explain = { sql: text, params: values };
	}
	return {
		common: { schema, prefs, media, readOnly },
		sql,
		params: ctx.params.values,
		offset,
		explain
	};
}

async function runRead(c: Common, plan: ReadPlan): Promise<RestResponse> {
	const explain = plan.explain;
	const row = await run(
		c,
		plan.sql,
		[...plan.params],
		singularCheck({ ...c, prefs: { ...c.prefs, strict: false } }),
		explain && ((tx, result) => plannedTotal(c, explain, tx, result))
	);
	return readResponse(c, row, plan.offset);
}

function parseJsonBody(request: RestRequest): unknown {
	const type = header(request.headers, 'content-type');
	if (type && !/^application\/json\b/i.test(type.trim()))
		throw notImplemented(`request bodies of type ${type.split(';')[0]}`);
	const text = request.body?.toString('utf8') ?? '';
	try {
		return JSON.parse(text);
	} catch {
		throw new RestError(400, 'PGRST102', 'Empty or invalid json');
	}
}

const isObject = (v: unknown): v is JsonObject =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/** Shared tail of INSERT, UPDATE and DELETE: the returned rows shaped by `select`. */
async function mutate(
	c: Common,
	relation: Relation,
	q: QueryParams,
	ctx: ReadContext,
	cte: string,
	kind: 'insert' | 'update' | 'delete'
): Promise<RestResponse> {
	const representation = c.prefs.return === 'representation';
	const headersOnly =
		c.prefs.return === 'headers-only' && kind === 'insert' && relation.primaryKey.length > 0;
	const upsertFlag = kind === 'insert' && tracksInserts(relation, c.prefs);
	if (upsertFlag) ctx.topStar = relation.columns.map((col) => col.name);
	const sql = buildReadSql(ctx, {
		ctes: [cte],
		from: 'pgrst_source',
		alias: ident(relation.name),
		relation,
		select: representation ? q.select : headersOnly ? [{ type: 'star' }] : [],
		topModifiers: false,
		count: false,
		stripNulls: c.media.stripNulls,
		csv: c.media.csv,
		keyColumns: headersOnly ? relation.primaryKey : undefined,
		extraColumns: upsertFlag
			? ['(SELECT coalesce(bool_or(pgrst_inserted), true) FROM pgrst_source) AS inserted']
			: undefined
	});
	checkUnusedNodes(ctx);
	const check = singularCheck(c);
	const row = await run(c, sql, ctx.params.values, check);
	const n = Number(row.page_total);
	const total = c.prefs.count ? String(n) : '*';
	const headers: Record<string, string> = {
		'content-range': kind === 'update' && n > 0 ? `0-${n - 1}/${total}` : `*/${total}`
	};
	const applied = [
		kind === 'insert' ? c.prefs.resolution && `resolution=${c.prefs.resolution}` : undefined,
		kind === 'insert' && c.prefs.missingDefault ? 'missing=default' : undefined
	].filter(Boolean);
	if (applied.length) headers['preference-applied'] = applied.join(', ');
	if (headersOnly) {
		const keys = JSON.parse(row.body ?? '[]') as unknown[][];
		if (keys.length > 0)
			headers.location = `/${relation.name}?${relation.primaryKey.map((col, i) => `${encodeURIComponent(col)}=eq.${encodeURIComponent(String(keys[0][i]))}`).join('&')}`;
	}
	const created = row.inserted === false ? 200 : 201;
	if (!representation) return { status: kind === 'insert' ? created : 204, headers, body: '' };
	headers['content-type'] = contentType(c);
	const body = c.media.singular ? singularBody(row.body ?? '') : (row.body ?? '[]');
	return { status: kind === 'insert' ? created : 200, headers, body };
}

async function insert(c: Common, relation: Relation): Promise<RestResponse> {
	const q = parseQuery(c.request.search);
	const payload = parseJsonBody(c.request);
	const rows = Array.isArray(payload) ? payload : [payload];
	if (!rows.every(isObject)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
	const ctx = newReadContext(c.env.cache(), q.nodes);
	ctx.aggregatesEnabled = c.env.aggregatesEnabled ?? false;
	const cte = buildInsertCte(ctx, relation, ident(relation.name), {
		rows,
		columns: q.columns,
		onConflict: q.onConflict,
		resolution: c.prefs.resolution,
		missingDefault: c.prefs.missingDefault,
		returnRows: c.prefs.return === 'representation' || c.prefs.return === 'headers-only'
	});
	rejectTopFilters(q, 'POST');
	return mutate(c, relation, q, ctx, cte, 'insert');
}

/** PostgREST ignores nothing silently: filters on an insert would be meaningless, so refuse them. */
function rejectTopFilters(q: QueryParams, method: string): void {
	const top = q.nodes.get('')!;
	if (top.conditions.length || top.limit !== undefined || top.offset !== undefined)
		throw notImplemented(`filters, limit and offset on ${method} to a table`);
}

async function update(c: Common, relation: Relation): Promise<RestResponse> {
	const q = parseQuery(c.request.search);
	const payload = parseJsonBody(c.request);
	if (!isObject(payload)) {
		if (Array.isArray(payload)) throw notImplemented('PATCH with an array body (bulk update)');
		throw new RestError(400, 'PGRST102', 'Empty or invalid json');
	}
	const ctx = newReadContext(c.env.cache(), q.nodes);
	ctx.aggregatesEnabled = c.env.aggregatesEnabled ?? false;
	const keys = q.columns ?? Object.keys(payload);
	if (keys.length === 0) {
		const representation = c.prefs.return === 'representation';
		return {
			status: representation ? 200 : 204,
			headers: representation
				? { 'content-type': JSON_TYPE, 'content-range': '*/*' }
				: { 'content-range': '*/*' },
			body: representation ? '[]' : ''
		};
	}
	const cte = buildUpdateCte(
		ctx,
		relation,
		ident(relation.name),
		payload,
		q.columns,
		c.prefs.return === 'representation'
	);
	return mutate(c, relation, q, ctx, cte, 'update');
}

async function remove(c: Common, relation: Relation): Promise<RestResponse> {
	const q = parseQuery(c.request.search);
	const ctx = newReadContext(c.env.cache(), q.nodes);
	ctx.aggregatesEnabled = c.env.aggregatesEnabled ?? false;
	const cte = buildDeleteCte(
		ctx,
		relation,
		ident(relation.name),
		c.prefs.return === 'representation'
	);
	return mutate(c, relation, q, ctx, cte, 'delete');
}

async function callFunction(c: Common, name: string): Promise<RestResponse> {
	const method = c.request.method;
	if (method !== 'GET' && method !== 'HEAD' && method !== 'POST')
		throw new RestError(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
	const cache = c.env.cache();
	const viaQuery = method !== 'POST';
	const q = parseQuery(c.request.search, viaQuery ? isRpcQueryArgument : undefined);
	const ctx = newReadContext(cache, q.nodes);
	ctx.aggregatesEnabled = c.env.aggregatesEnabled ?? false;
	let fn: RestFunction;
	let call;
	if (viaQuery) {
		({ fn } = findFunction(
			cache,
			c.schema,
			name,
			q.args.map(([k]) => k),
			false
		));
		call = buildCall(ctx, fn, { kind: 'text', pairs: q.args });
	} else {
		const raw = c.request.body?.toString('utf8') ?? '';
		const payload = raw.trim() === '' ? {} : parseJsonBody(c.request);
		const names = isObject(payload) ? Object.keys(payload) : [];
		const found = findFunction(cache, c.schema, name, names, true);
		fn = found.fn;
		if (found.wholeBody)
			call = buildCall(ctx, fn, { kind: 'whole', raw: raw.trim() === '' ? '{}' : raw });
		else if (isObject(payload)) call = buildCall(ctx, fn, { kind: 'json', body: payload });
		else throw notImplemented('an array body for a function without a single json parameter');
	}
	const readOnly = viaQuery || fn.volatility !== 'v';
	const rc: Common = { ...c, readOnly };
	// A call counts for `exact` and `estimated`; `planned` has no estimate for it (Content-Range `*`).
	const counting = c.prefs.count === 'exact' || c.prefs.count === 'estimated';
	const oneRow = { 'content-range': `0-0/${counting ? 1 : '*'}`, ...countApplied(c) };
	const rowsSql = callRowsSql(fn, call);
	const top = q.nodes.get('')!;
	if (fn.returns !== 'rows') {
		if (c.media.csv)
			throw new RestError(406, 'PGRST107', 'None of these media types are available: text/csv');
		if (top.conditions.length || top.order.length || q.hasSelect)
			throw notImplemented(
				`select, filters and order on the result of ${fn.schema}.${name} (it returns ${fn.returnType})`
			);
		const { limit, offset } = fn.returnsSet ? readWindow(rc, q) : { limit: undefined, offset: 0 };
		const window = `${limit !== undefined ? ` LIMIT ${ctx.params.add(limit)}::bigint` : ''}${offset ? ` OFFSET ${ctx.params.add(offset)}::bigint` : ''}`;
		const sql = fn.returnsSet
			? `WITH pgrst_rows AS (${rowsSql}) SELECT ${counting ? '(SELECT pg_catalog.count(*) FROM pgrst_rows)' : 'NULL::bigint'} AS total_count, pg_catalog.count(*) AS page_total, coalesce(json_agg(_s.pgrst_scalar), '[]')::text AS body FROM (SELECT pgrst_scalar FROM pgrst_rows${window}) _s`
			: `SELECT NULL::bigint AS total_count, 1 AS page_total, to_json(_s.pgrst_scalar)::text AS body FROM (${rowsSql}) _s`;
		const row = await run(
			rc,
			sql,
			ctx.params.values,
			fn.returnsSet ? singularCheck(rc) : undefined
		);
		if (fn.returns === 'void') return { status: 204, headers: oneRow, body: '' };
		if (c.prefs.return === 'minimal') return { status: 204, headers: {}, body: '' };
		if (fn.returnsSet) return readResponse(rc, row, offset);
		return {
			status: 200,
			headers: { 'content-type': JSON_TYPE, ...oneRow },
			body: method === 'HEAD' ? '' : (row.body ?? 'null')
		};
	}
	const { limit, offset } = readWindow(rc, q);
	const relation = fn.returnRelation ?? null;
	const sql = buildReadSql(ctx, {
		ctes: [`pgrst_rows AS (${rowsSql})`],
		from: 'pgrst_rows',
		// PostgREST names the result after the table the function returns, else the function.
		alias: ident(fn.returnRelation?.name ?? fn.name),
		relation,
		select: q.select,
		topModifiers: true,
		count: counting,
		limit,
		offset,
		stripNulls: c.media.stripNulls,
		csv: c.media.csv
	});
	checkUnusedNodes(ctx);
	// A function returning one composite value answers an object, as PostgREST does.
	const single = !fn.returnsSet;
	const media = single ? { ...rc.media, singular: true } : rc.media;
	const row = await run(
		{ ...rc, media },
		sql,
		ctx.params.values,
		single ? undefined : singularCheck(rc)
	);
	if (c.prefs.return === 'minimal') return { status: 204, headers: {}, body: '' };
	if (single) {
		const body = Number(row.page_total) === 0 ? 'null' : singularBody(row.body ?? '[]');
		return {
			status: 200,
			headers: { 'content-type': JSON_TYPE, ...oneRow },
			body: method === 'HEAD' ? '' : body
		};
	}
	return readResponse(rc, row, offset);
}
