/** Function calls (spec §3.11): overload choice by argument names and the call as SQL. */
import { RestError } from './errors.ts';
import type { ReadContext } from './read-builder.ts';
import { key, type RestFunction, type SchemaCache } from './schema-cache.ts';
import { ident, qualified } from './sql.ts';

const JSON_TYPES = new Set(['json', 'jsonb']);

const isSingleJsonParam = (fn: RestFunction) =>
	fn.args.length === 1 && fn.args[0].name === '' && JSON_TYPES.has(fn.args[0].type);

/** Picks the overload whose parameter names fit the given argument names (PGRST202 / PGRST203). */
export function findFunction(
	cache: SchemaCache,
	schema: string,
	name: string,
	argNames: string[],
	/** POST bodies may go whole to a single unnamed json/jsonb parameter. */
	allowJsonBody: boolean
): { fn: RestFunction; wholeBody: boolean } {
	const overloads = cache.functions.get(key(schema, name)) ?? [];
	const matches = overloads.filter(
		(fn) =>
			argNames.every((a) => fn.args.some((p) => p.name === a)) &&
			fn.args.every((p) => p.hasDefault || argNames.includes(p.name))
	);
	if (matches.length === 1) return { fn: matches[0], wholeBody: false };
	if (matches.length === 0) {
		const json = allowJsonBody ? overloads.filter(isSingleJsonParam) : [];
		if (json.length === 1) return { fn: json[0], wholeBody: true };
		const list = [...argNames].sort().join(', ');
		throw new RestError(
			404,
			'PGRST202',
			`Could not find the function ${schema}.${name}${argNames.length ? `(${list})` : ' without parameters'} in the schema cache`,
			`Searched for the function ${schema}.${name}${argNames.length ? ` with parameters ${list}` : ' without parameters'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
			overloads.length
				? `Perhaps you meant to call the function ${schema}.${name}(${overloads[0].args.map((a) => a.name).join(', ')})`
				: null
		);
	}
	throw new RestError(
		300,
		'PGRST203',
		`Could not choose the best candidate function between: ${matches
			.map(
				(fn) =>
					`${schema}.${name}(${fn.args.map((a) => `${a.name ? `${a.name} => ` : ''}${a.type}`).join(', ')})`
			)
			.join(', ')}`,
		null,
		'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
	);
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
		return { from: '', call: `${target}(${ctx.params.add(args.raw)}::${fn.args[0].type})` };
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
			const type = fn.args.find((a) => a.name === name)!.type;
			return `${ident(name)} := CAST(${ctx.params.add(value)}::text AS ${type})`;
		});
		return { from: '', call: `${target}(${named.join(', ')})` };
	}
	const names = Object.keys(args.body);
	if (names.length === 0) return { from: '', call: `${target}()` };
	const definitions = names.map(
		(name) => `${ident(name)} ${fn.args.find((a) => a.name === name)!.type}`
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
