/** Function calls (spec §3.11): overload choice by argument names and the call as SQL. */
import { RestError } from './errors.ts';
import type { ReadContext } from './read-builder.ts';
import { compareText, key, type RestFunction, type SchemaCache } from './schema-cache.ts';
import { FuzzySet } from './fuzzy.ts';
import { OPERATORS } from './query-params.ts';
import { ident, qualified } from './sql.ts';

const JSON_TYPES = new Set(['json', 'jsonb']);

/** A POST body may go whole to a single unnamed json/jsonb parameter. */
const isSingleJsonParam = (fn: RestFunction) =>
	fn.args.length === 1 && fn.args[0].name === '' && JSON_TYPES.has(fn.args[0].type);

/** PostgREST's `matchesParams`: every required parameter named, nothing unknown. */
function matchesParams(fn: RestFunction, keys: Set<string>): boolean {
	if (fn.args.length === 0) return keys.size === 0;
	const required = fn.args.filter((p) => !p.hasDefault).map((p) => p.name);
	const optional = new Set(fn.args.filter((p) => p.hasDefault).map((p) => p.name));
	const rest = [...keys].filter((k) => !optional.has(k));
	return rest.length === new Set(required).size && required.every((r) => keys.has(r));
}

const OPERATOR_WORDS = new Set(Object.keys(OPERATORS));
const FTS_WORDS = new Set(['fts', 'plfts', 'phfts', 'wfts']);
const MODIFIER_KEYS = new Set(['order', 'limit', 'offset', 'and', 'or']);

/**
 * Whether a query pair of a GET/HEAD call is a function argument (PostgREST's `qsParams`): a key
 * without an embed path that is no modifier, and a value that does not start with an operator.
 * Everything else is a filter on the result.
 */
export function isRpcQueryArgument(key: string, value: string): boolean {
	if (key.includes('.') || MODIFIER_KEYS.has(key)) return false;
	const parts = value.split('.');
	if (parts[0] === 'not' && parts.length > 1) return false;
	if (parts[0] === 'is' || parts[0] === 'in') return false;
	const word = parts[0].replace(/\((any|all)\)$/, '');
	if (OPERATOR_WORDS.has(word) || FTS_WORDS.has(word)) return false;
	const paren = value.split('(');
	return !(paren.length > 1 && FTS_WORDS.has(paren[0]));
}

const signature = (fn: RestFunction) =>
	`${fn.schema}.${fn.name}(${fn.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`;

function ambiguous(candidates: RestFunction[]): RestError {
	return new RestError(
		300,
		'PGRST203',
		`Could not choose the best candidate function between: ${candidates.map(signature).join(', ')}`,
		null,
		'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
	);
}

/** `(b, a)` → `(a, b)`: how PostgREST compares argument lists for its hint. */
const listText = (names: string[]) => `(${[...names].sort(compareText).join(', ')})`;

/** PGRST202 with PostgREST's texts; the hint is its fuzzy match on names or argument lists. */
function noFunction(
	cache: SchemaCache,
	schema: string,
	name: string,
	argNames: string[],
	post: boolean,
	overloads: RestFunction[]
): RestError {
	const func = `${schema}.${name}`;
	// A set of names, as PostgREST's: a repeated GET argument is listed once.
	argNames = [...new Set(argNames)];
	const list = [...argNames].sort(compareText).join(', ');
	const params = argNames.length
		? ` with parameter${argNames.length > 1 ? 's' : ''} ${list}`
		: ' without parameters';
	let hint: string | null;
	if (overloads.length === 0) {
		const names = [...cache.functions.values()]
			.map((fns) => fns[0])
			.filter((fn) => fn.schema === schema)
			.map((fn) => fn.name);
		const match = new FuzzySet(names).closest(name, 0.75);
		hint = match === null ? null : `${schema}.${match}`;
	} else {
		const match = new FuzzySet(overloads.map((fn) => listText(fn.args.map((a) => a.name)))).closest(
			listText(argNames)
		);
		hint = match === null ? null : `${func}${match}`;
	}
	return new RestError(
		404,
		'PGRST202',
		`Could not find the function ${func}${argNames.length ? `(${list})` : ' without parameters'} in the schema cache`,
		`Searched for the function ${func}${params}${post ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`,
		hint === null ? null : `Perhaps you meant to call the function ${hint}`
	);
}

/**
 * Picks the overload as PostgREST's `findProc` does: by argument names alone (the JSON value
 * types play no part; overloads differing only in types are PGRST203), then, for a POST, the one
 * function with a single unnamed json/jsonb parameter.
 */
export function findFunction(
	cache: SchemaCache,
	schema: string,
	name: string,
	argNames: string[],
	/** A POST with a JSON body, which may go whole to a single unnamed json/jsonb parameter. */
	post: boolean
): { fn: RestFunction; wholeBody: boolean } {
	const overloads = cache.functions.get(key(schema, name)) ?? [];
	const keys = new Set(argNames);
	const named = overloads.filter((fn) => matchesParams(fn, keys));
	if (named.length === 1) return { fn: named[0], wholeBody: false };
	if (named.length > 1) throw ambiguous(named);
	const whole = post ? overloads.filter(isSingleJsonParam) : [];
	if (whole.length === 1) return { fn: whole[0], wholeBody: true };
	if (whole.length > 1) throw ambiguous(whole);
	throw noFunction(cache, schema, name, argNames, post, overloads);
}

export interface CallSql {
	/** The FROM item holding POST arguments (`json_to_record(...) AS pgrst_args(...)`), or ''. */
	from: string;
	/** `"schema"."fn"(a := …)` */
	call: string;
}

/**
 * Arguments from a POST body are expanded by `json_to_record` with the declared types; from a
 * query string they are cast from text. Type names come from the catalog, values are parameters.
 */
export function buildCall(
	ctx: ReadContext,
	fn: RestFunction,
	args:
		| { kind: 'json'; body: Record<string, unknown> }
		| { kind: 'whole'; raw: string }
		| { kind: 'text'; pairs: [string, string][] }
): CallSql {
	const target = qualified(fn.schema, fn.name);
	if (args.kind === 'whole')
		return { from: '', call: `${target}(${ctx.params.add(args.raw)}::${fn.args[0].castType})` };
	if (args.kind === 'text') {
		const seen = new Set<string>();
		for (const [name] of args.pairs) {
			if (seen.has(name))
				throw new RestError(
					400,
					'PGRST127',
					'Feature not implemented',
					`repeated argument '${name}' (variadic calls) is not supported by the local REST service`
				);
			seen.add(name);
		}
		const named = args.pairs.map(([name, value]) => {
			const type = fn.args.find((a) => a.name === name)!.castType;
			return `${ident(name)} := CAST(${ctx.params.add(value)}::text AS ${type})`;
		});
		return { from: '', call: `${target}(${named.join(', ')})` };
	}
	const names = Object.keys(args.body);
	if (names.length === 0) return { from: '', call: `${target}()` };
	const definitions = names.map(
		(name) => `${ident(name)} ${fn.args.find((a) => a.name === name)!.castType}`
	);
	return {
		from: `json_to_record(${ctx.params.add(JSON.stringify(args.body))}::json) AS pgrst_args(${definitions.join(', ')})`,
		call: `${target}(${names.map((n) => `${ident(n)} := pgrst_args.${ident(n)}`).join(', ')})`
	};
}

/** The rows a call yields, as a query: `pgrst_fn.*` for row types, `pgrst_scalar` otherwise. */
export function callRowsSql(fn: RestFunction, sql: CallSql): string {
	const from = sql.from ? `${sql.from} CROSS JOIN LATERAL ` : '';
	if (fn.returns === 'rows') return `SELECT pgrst_fn.* FROM ${from}${sql.call} AS pgrst_fn`;
	if (fn.returnsSet)
		return `SELECT pgrst_fn.pgrst_scalar FROM ${from}${sql.call} AS pgrst_fn(pgrst_scalar)`;
	return `SELECT ${sql.call} AS pgrst_scalar${sql.from ? ` FROM ${sql.from}` : ''}`;
}
