/**
 * PostgREST's schema cache (spec §3.14): tables, views, columns, keys, foreign keys (also the ones a
 * view inherits from its base tables) and functions of the exposed schemas.
 */
import type { Queryable } from '../core/db.ts';

export interface Column {
	name: string;
	/** `format_type` text, e.g. `text`, `timestamp with time zone`, `integer[]`. */
	type: string;
	nullable: boolean;
	/** Default expression as Postgres prints it, or null. */
	default: string | null;
	/** `a` (always) / `d` (by default) identity, or ''. */
	identity: string;
	/** `s` for a stored generated column, or ''. */
	generated: string;
}

export interface Relation {
	schema: string;
	name: string;
	kind: 'table' | 'view';
	columns: Column[];
	columnMap: Map<string, Column>;
	primaryKey: string[];
	/** Column sets that are unique (primary key and unique constraints). */
	uniqueKeys: string[][];
}

export interface ForeignKey {
	name: string;
	/** The relation holding the key (a table, or a view exposing all its columns). */
	from: Relation;
	columns: string[];
	to: Relation;
	toColumns: string[];
}

export interface FunctionArg {
	name: string;
	/** As PostgREST names it: `regtype` text, schema-qualified unless built in. */
	type: string;
	/** The type arguments are cast to: `character`/`bit` widen so values are not truncated. */
	castType: string;
	hasDefault: boolean;
	variadic: boolean;
}

export interface RestFunction {
	schema: string;
	name: string;
	args: FunctionArg[];
	volatility: 'v' | 's' | 'i';
	returnsSet: boolean;
	/** `void`, `scalar`, or `rows` (composite / RETURNS TABLE / OUT parameters). */
	returns: 'void' | 'scalar' | 'rows';
	returnType: string;
	/** `COMMENT ON FUNCTION`: part of the order PostgREST lists overloads in. */
	description: string | null;
	/** The table or view whose row type the function returns, enabling embeds on its result. */
	returnRelation?: Relation;
}

/**
 * A function taking one table's row and returning rows of a table (PostgREST's computed
 * relationship), embedded under the function's name.
 */
export interface ComputedRelationship {
	schema: string;
	name: string;
	from: Relation;
	to: Relation;
	/** Not set-returning, or declared `rows 1`. */
	toOne: boolean;
}

export interface SchemaCache {
	schemas: string[];
	relations: Map<string, Relation>;
	foreignKeys: ForeignKey[];
	functions: Map<string, RestFunction[]>;
	computedRelationships: ComputedRelationship[];
}

export const key = (schema: string, name: string): string => `${schema}\u0000${name}`;

const RELATIONS_SQL = `
select n.nspname as schema, c.relname as name, c.relkind::text as kind,
	coalesce(json_agg(json_build_object(
		'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', not a.attnotnull,
		'default', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity::text,
		'generated', a.attgenerated::text) order by a.attnum) filter (where a.attname is not null), '[]') as columns
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
where n.nspname = any($1) and c.relkind in ('r', 'v', 'm', 'f', 'p')
group by n.nspname, c.relname, c.relkind`;

const CONSTRAINTS_SQL = `
select con.conname as name, con.contype::text as type, n.nspname as schema, c.relname as table,
	array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
		join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.ord) as columns,
	fn.nspname as to_schema, fc.relname as to_table,
	array(select a.attname::text from unnest(con.confkey) with ordinality k(num, ord)
		join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.ord) as to_columns
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
left join pg_class fc on fc.oid = con.confrelid
left join pg_namespace fn on fn.oid = fc.relnamespace
where con.contype in ('p', 'u', 'f') and n.nspname = any($1)
order by con.conname`;

/** Base-table columns each view reads; a view column of the same name is taken to expose it. */
const VIEW_SOURCES_SQL = `
select distinct vn.nspname as view_schema, v.relname as view_name,
	tn.nspname as table_schema, t.relname as table_name, a.attname as column_name
from pg_depend d
join pg_rewrite r on r.oid = d.objid
join pg_class v on v.oid = r.ev_class and v.relkind = 'v'
join pg_namespace vn on vn.oid = v.relnamespace
join pg_class t on t.oid = d.refobjid and t.oid <> v.oid
join pg_namespace tn on tn.oid = t.relnamespace
join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
	and d.refobjsubid > 0 and vn.nspname = any($1)`;

/**
 * Functions as PostgREST's schema cache reads them: argument types as `regtype` text under an
 * empty search_path (built-ins bare, everything else schema-qualified), the comment (it orders
 * overloads), and no trigger functions.
 */
const FUNCTIONS_SQL = `
select n.nspname as schema, p.proname as name, p.provolatile::text as volatility, p.proretset as returns_set,
	p.pronargs as nargs, p.pronargdefaults as ndefaults, d.description,
	coalesce((select json_agg(json_build_object('name', coalesce(p.proargnames[a.i], ''),
		'type', case
			when t.typnamespace = 'pg_catalog'::regnamespace then format_type(a.t, null)
			when e.oid is not null and e.typnamespace = 'pg_catalog'::regnamespace then format_type(a.t, null)
			when e.oid is not null then quote_ident(en.nspname) || '.' || quote_ident(e.typname) || '[]'
			else quote_ident(tn.nspname) || '.' || quote_ident(t.typname) end,
		'mode', coalesce(p.proargmodes[a.i]::text, 'i')) order by a.i)
		from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality a(t, i)
		join pg_type t on t.oid = a.t
		join pg_namespace tn on tn.oid = t.typnamespace
		left join pg_type e on e.oid = t.typelem and t.typlen = -1 and t.typelem <> 0
		left join pg_namespace en on en.oid = e.typnamespace), '[]') as args,
	format_type(p.prorettype, null) as return_type, rt.typtype::text as return_typtype,
	rn.nspname as return_schema, rc.relname as return_relation
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_type rt on rt.oid = p.prorettype
left join pg_class rc on rc.oid = rt.typrelid
left join pg_namespace rn on rn.oid = rc.relnamespace
left join pg_description d on d.objoid = p.oid and d.classoid = 'pg_proc'::regclass and d.objsubid = 0
where n.nspname = any($1) and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype`;

/** SchemaCache.hs `allComputedRels`: one argument of a row type, returning a row type. */
const COMPUTED_RELATIONSHIPS_SQL = `
select pn.nspname as schema, p.proname as name,
	an.nspname as from_schema, ac.relname as from_name,
	rn.nspname as to_schema, rc.relname as to_name,
	not p.proretset or p.prorows = 1 as to_one
from pg_proc p
join pg_namespace pn on pn.oid = p.pronamespace
join pg_class ac on ac.reltype = p.proargtypes[0] and ac.relkind in ('v', 'r', 'm', 'f', 'p')
join pg_namespace an on an.oid = ac.relnamespace
join pg_class rc on rc.reltype = p.prorettype and rc.relkind in ('v', 'r', 'm', 'f', 'p')
join pg_namespace rn on rn.oid = rc.relnamespace
where p.pronargs = 1 and an.nspname = any($1) and rn.nspname = any($1)
order by pn.nspname, p.proname`;

interface ComputedRow {
	schema: string;
	name: string;
	from_schema: string;
	from_name: string;
	to_schema: string;
	to_name: string;
	to_one: boolean;
}

interface RelationRow {
	schema: string;
	name: string;
	kind: string;
	columns: Column[] | string;
}
interface ConstraintRow {
	name: string;
	type: 'p' | 'u' | 'f';
	schema: string;
	table: string;
	columns: string[];
	to_schema: string | null;
	to_table: string | null;
	to_columns: string[];
}
interface ViewSourceRow {
	view_schema: string;
	view_name: string;
	table_schema: string;
	table_name: string;
	column_name: string;
}
interface FunctionRow {
	schema: string;
	name: string;
	volatility: 'v' | 's' | 'i';
	returns_set: boolean;
	nargs: number;
	ndefaults: number;
	description: string | null;
	args: { name: string; type: string; mode: string }[] | string;
	return_type: string;
	return_typtype: string;
	return_schema: string | null;
	return_relation: string | null;
}

const json = <T>(value: T | string): T =>
	typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** Reads the catalog of the exposed schemas. */
export async function loadSchemaCache(db: Queryable, schemas: string[]): Promise<SchemaCache> {
	const relationRows = (await db.query<RelationRow>(RELATIONS_SQL, [schemas])).rows;
	const constraintRows = (await db.query<ConstraintRow>(CONSTRAINTS_SQL, [schemas])).rows;
	const viewRows = (await db.query<ViewSourceRow>(VIEW_SOURCES_SQL, [schemas])).rows;
	const functionRows = (await db.query<FunctionRow>(FUNCTIONS_SQL, [schemas])).rows;
	const computedRows = (await db.query<ComputedRow>(COMPUTED_RELATIONSHIPS_SQL, [schemas])).rows;

	const relations = new Map<string, Relation>();
	for (const row of relationRows) {
		const columns = json(row.columns);
		relations.set(key(row.schema, row.name), {
			schema: row.schema,
			name: row.name,
			kind: row.kind === 'v' || row.kind === 'm' ? 'view' : 'table',
			columns,
			columnMap: new Map(columns.map((c) => [c.name, c])),
			primaryKey: [],
			uniqueKeys: []
		});
	}

	const tableKeys: ForeignKey[] = [];
	for (const row of constraintRows) {
		const from = relations.get(key(row.schema, row.table));
		if (!from) continue;
		if (row.type === 'p') from.primaryKey = row.columns;
		if (row.type !== 'f') from.uniqueKeys.push(row.columns);
		else if (row.to_schema && row.to_table) {
			const to = relations.get(key(row.to_schema, row.to_table));
			if (to)
				tableKeys.push({
					name: row.name,
					from,
					columns: row.columns,
					to,
					toColumns: row.to_columns
				});
		}
	}

	const foreignKeys = [...tableKeys, ...viewForeignKeys(relations, tableKeys, viewRows)];

	const functions = new Map<string, RestFunction[]>();
	for (const row of functionRows) {
		const fn = toFunction(row, relations);
		if (!fn) continue;
		const k = key(fn.schema, fn.name);
		functions.set(k, [...(functions.get(k) ?? []), fn]);
	}
	for (const overloads of functions.values()) overloads.sort(compareOverloads);
	const computedRelationships: ComputedRelationship[] = [];
	for (const row of computedRows) {
		const from = relations.get(key(row.from_schema, row.from_name));
		const to = relations.get(key(row.to_schema, row.to_name));
		if (from && to)
			computedRelationships.push({
				schema: row.schema,
				name: row.name,
				from,
				to,
				toOne: row.to_one
			});
	}
	return { schemas, relations, foreignKeys, functions, computedRelationships };
}

/**
 * A view inherits a base table's foreign key (in either direction) when it exposes all the key's
 * columns under their own names, as PostgREST's view-relationship detection does for simple views.
 */
function viewForeignKeys(
	relations: Map<string, Relation>,
	tableKeys: ForeignKey[],
	rows: ViewSourceRow[]
): ForeignKey[] {
	const exposes = new Map<Relation, Map<Relation, Set<string>>>();
	for (const row of rows) {
		const view = relations.get(key(row.view_schema, row.view_name));
		const table = relations.get(key(row.table_schema, row.table_name));
		if (!view || !table || !view.columnMap.has(row.column_name)) continue;
		let byTable = exposes.get(table);
		if (!byTable) exposes.set(table, (byTable = new Map()));
		let columns = byTable.get(view);
		if (!columns) byTable.set(view, (columns = new Set()));
		columns.add(row.column_name);
	}
	const viewsOf = (table: Relation, columns: string[]): Relation[] => [
		table,
		...[...(exposes.get(table) ?? new Map<Relation, Set<string>>())]
			.filter(([, exposed]) => columns.every((c) => exposed.has(c)))
			.map(([view]) => view)
	];
	const out: ForeignKey[] = [];
	for (const fk of tableKeys) {
		for (const from of viewsOf(fk.from, fk.columns))
			for (const to of viewsOf(fk.to, fk.toColumns))
				if (from !== fk.from || to !== fk.to) out.push({ ...fk, from, to });
	}
	return out;
}

function toFunction(row: FunctionRow, relations: Map<string, Relation>): RestFunction | null {
	const all = json(row.args);
	const inputs = all.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v');
	const outputs = all.filter((a) => a.mode === 'o' || a.mode === 'b' || a.mode === 't');
	let returns: RestFunction['returns'];
	if (row.return_type === 'void') returns = 'void';
	else if (row.return_typtype === 'c') returns = 'rows';
	else if (row.return_type === 'record') {
		if (outputs.length === 0) return null;
		returns = 'rows';
	} else returns = 'scalar';
	if (!callable(inputs)) return null;
	const firstDefault = inputs.length - row.ndefaults;
	return {
		schema: row.schema,
		name: row.name,
		args: inputs.map((a, i) => ({
			name: a.name,
			type: a.type,
			castType: WIDENED_TYPES[a.type] ?? a.type,
			hasDefault: i >= firstDefault,
			variadic: a.mode === 'v'
		})),
		volatility: row.volatility,
		returnsSet: row.returns_set,
		returns,
		returnType: row.return_type,
		description: row.description,
		returnRelation:
			row.return_schema && row.return_relation
				? relations.get(key(row.return_schema, row.return_relation))
				: undefined
	};
}

const WIDENED_TYPES: Record<string, string> = {
	bit: 'bit varying',
	'bit[]': 'bit varying[]',
	character: 'character varying',
	'character[]': 'character varying[]'
};

const SINGLE_UNNAMED_TYPES = new Set(['bytea', 'json', 'jsonb', 'text', 'xml']);

/**
 * PostgREST only caches functions it can call by name: every argument named, or exactly one
 * unnamed one while the first argument is bytea, json, jsonb, text or xml (the raw-body calls).
 */
function callable(inputs: { name: string; type: string }[]): boolean {
	const unnamed = inputs.filter((a) => a.name === '').length;
	return unnamed === 0 || (unnamed === 1 && SINGLE_UNNAMED_TYPES.has(inputs[0].type));
}

/** Codepoint order, as Haskell compares `Text`. */
export function compareText(a: string, b: string): number {
	const x = [...a];
	const y = [...b];
	for (let i = 0; i < Math.min(x.length, y.length); i++) {
		const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
		if (d !== 0) return d;
	}
	return x.length - y.length;
}

const compareBool = (a: boolean, b: boolean): number => Number(a) - Number(b);

const VOLATILITY_ORDER = { v: 0, s: 1, i: 2 };

/**
 * The order PostgREST keeps overloads in (`instance Ord Routine`), which is the order of the
 * PGRST203 candidate list: fewer parameters first, then the comment (none first), then the
 * parameters field by field (name, type, cast type, required, variadic), return and volatility.
 */
export function compareOverloads(a: RestFunction, b: RestFunction): number {
	if (a.args.length !== b.args.length) return a.args.length - b.args.length;
	if (a.description !== b.description) {
		if (a.description === null) return -1;
		if (b.description === null) return 1;
		const d = compareText(a.description, b.description);
		if (d !== 0) return d;
	}
	for (let i = 0; i < a.args.length; i++) {
		const p = a.args[i];
		const q = b.args[i];
		const d =
			compareText(p.name, q.name) ||
			compareText(p.type, q.type) ||
			compareText(p.castType, q.castType) ||
			compareBool(!p.hasDefault, !q.hasDefault) ||
			compareBool(p.variadic, q.variadic);
		if (d !== 0) return d;
	}
	return (
		compareBool(a.returnsSet, b.returnsSet) ||
		compareBool(a.returns === 'rows', b.returns === 'rows') ||
		compareText(a.returnType, b.returnType) ||
		VOLATILITY_ORDER[a.volatility] - VOLATILITY_ORDER[b.volatility]
	);
}
