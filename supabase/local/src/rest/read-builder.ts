/**
 * Builds the SELECT part every response goes through (spec §3.6–§3.8, §3.13): the select list with
 * embeds as lateral joins, filters, order, limit, and the response body assembled as JSON by
 * Postgres itself. Mutations and RPC reuse it over their CTE.
 */
import { RestError, notImplemented, parseError } from './errors.ts';
import type { Condition, Filter, NodeModifiers, OrderTerm } from './query-params.ts';
import { OPERATORS } from './query-params.ts';
import { findRelationship, isToOne, type Relationship } from './relationships.ts';
import type { Relation, SchemaCache } from './schema-cache.ts';
import {
	aggregateError,
	embedName,
	outputName,
	type EmbedItem,
	type FieldItem,
	type JsonStep,
	type SelectItem
} from './select-parser.ts';
import { Params, ident, isSafeTypeName, qualified } from './sql.ts';

export interface ReadContext {
	cache: SchemaCache;
	params: Params;
	nodes: Map<string, NodeModifiers>;
	/** Node paths that matched an embed; the rest are PGRST108. */
	used: Set<string>;
	counter: number;
	/** A condition tests an embed's existence, so counting needs every join. */
	embedFilters: boolean;
	/** Explicit columns for a top-level `*` (the source carries bookkeeping columns). */
	topStar?: string[];
	/** Set by `buildReadSql`: the rows a count counts, `SELECT 1 FROM … WHERE …`, for EXPLAIN. */
	countSql?: string;
	/** PostgREST's `db-aggregates-enabled`; without it an aggregate answers PGRST123. */
	aggregatesEnabled: boolean;
	/** Some level of the select uses an aggregate. */
	hasAggregate: boolean;
}

/** State shared while building one statement: parameters, alias counter, used embeds. */
export function newReadContext(
	cache: SchemaCache,
	nodes: Map<string, NodeModifiers>,
	params = new Params()
): ReadContext {
	return {
		cache,
		params,
		nodes,
		used: new Set(['']),
		counter: 0,
		embedFilters: false,
		aggregatesEnabled: false,
		hasAggregate: false
	};
}

/** The SQL pieces of one level: output columns and the joins they need. */
interface Level {
	columns: string[];
	joins: string[];
	/** Conditions on embeds by name (`rel=is.null`), resolved to their lateral alias. */
	embeds: Map<string, { alias: string; toOne: boolean }>;
	/** Output keys of the level in order, for a to-many spread to aggregate each of them. */
	names: string[];
	/** ` GROUP BY …` when the level aggregates (PostgREST's `groupF`), else ''. */
	groupBy: string;
}

const JSON_TYPES = new Set(['json', 'jsonb']);

/** A column reference with an optional JSON path (`->` keeps json, `->>` yields text). */
export function columnExpr(
	ctx: ReadContext,
	alias: string,
	relation: Relation | null,
	name: string,
	path: JsonStep[]
): string {
	let expr = `${alias}.${ident(name)}`;
	if (path.length === 0) return expr;
	const type = relation?.columnMap.get(name)?.type;
	if (type !== undefined && !JSON_TYPES.has(type)) expr = `to_jsonb(${expr})`;
	for (const step of path) {
		const k =
			typeof step.key === 'number'
				? `${ctx.params.add(step.key)}::integer`
				: `${ctx.params.add(step.key)}::text`;
		expr = `(${expr}${step.arrow}${k})`;
	}
	return expr;
}

function fieldSql(
	ctx: ReadContext,
	alias: string,
	relation: Relation | null,
	field: FieldItem
): string {
	let expr = field.name === '*' ? '*' : columnExpr(ctx, alias, relation, field.name, field.path);
	if (field.cast !== undefined && field.name !== '*') {
		if (!isSafeTypeName(field.cast))
			throw parseError(
				`"failed to parse select parameter" cast "${field.cast}"`,
				'expecting a type name'
			);
		expr = `CAST(${expr} AS ${field.cast})`;
	}
	if (field.aggregate) {
		expr = `${field.aggregate.toUpperCase()}(${field.name === '*' ? '*' : expr})`;
		if (field.aggregateCast !== undefined) {
			if (!isSafeTypeName(field.aggregateCast))
				throw parseError(
					`"failed to parse select parameter" cast "${field.aggregateCast}"`,
					'expecting a type name'
				);
			expr = `CAST(${expr} AS ${field.aggregateCast})`;
		}
	}
	return `${expr} AS ${ident(outputName(field))}`;
}

function arrayLiteral(items: string[]): string {
	return `{${items.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

function filterSql(
	ctx: ReadContext,
	alias: string,
	relation: Relation | null,
	filter: Filter,
	embeds?: Level['embeds']
): string {
	const embed = filter.path.length === 0 ? embeds?.get(filter.column) : undefined;
	let sql: string;
	if (embed) {
		if (filter.op !== 'is' || (filter.value !== 'null' && filter.value !== 'not_null'))
			throw new RestError(
				400,
				'PGRST120',
				`Bad operator on the '${filter.column}' embedded resource`,
				'Only is null or not is null filters are allowed on embedded resources'
			);
		const isNull = (filter.value === 'null') !== filter.negate;
		ctx.embedFilters = true;
		return `${embed.alias}."pgrst_json" IS ${isNull ? '' : 'NOT '}NULL`;
	}
	const expr = columnExpr(ctx, alias, relation, filter.column, filter.path);
	const value = filter.value;
	switch (filter.op) {
		case 'is':
			sql = `${expr} IS ${(value as string).replace('_', ' ').toUpperCase()}`;
			break;
		case 'in':
			sql = `${expr} = ANY(${ctx.params.add(arrayLiteral(value as string[]))})`;
			break;
		case 'fts':
		case 'plfts':
		case 'phfts':
		case 'wfts': {
			const config =
				filter.config !== undefined ? `${ctx.params.add(filter.config)}::regconfig, ` : '';
			const type =
				filter.path.length === 0 ? relation?.columnMap.get(filter.column)?.type : undefined;
			const vector = type === 'tsvector' ? expr : `to_tsvector(${config}${expr})`;
			sql = `${vector} @@ ${OPERATORS[filter.op]}(${config}${ctx.params.add(value)})`;
			break;
		}
		default: {
			const op = OPERATORS[filter.op].toUpperCase();
			const text =
				filter.op === 'like' || filter.op === 'ilike'
					? (value as string).replaceAll('*', '%')
					: (value as string);
			const rhs = ctx.params.add(text);
			sql = filter.quantifier
				? `${expr} ${op} ${filter.quantifier.toUpperCase()}(${rhs})`
				: `${expr} ${op} ${rhs}`;
		}
	}
	return filter.negate ? `NOT (${sql})` : sql;
}

/** A filter or logic tree as SQL over `alias`; embeds by name resolve existence tests. */
export function conditionSql(
	ctx: ReadContext,
	alias: string,
	relation: Relation | null,
	condition: Condition,
	embeds?: Level['embeds']
): string {
	if (condition.type === 'filter') return filterSql(ctx, alias, relation, condition, embeds);
	const parts = condition.children.map((c) => conditionSql(ctx, alias, relation, c, embeds));
	const sql = `(${parts.join(condition.op === 'and' ? ' AND ' : ' OR ')})`;
	return condition.negate ? `NOT ${sql}` : sql;
}

/** ` ORDER BY …` for the given terms, or '' when there are none. */
export function orderSql(
	ctx: ReadContext,
	alias: string,
	relation: Relation | null,
	terms: OrderTerm[]
): string {
	if (terms.length === 0) return '';
	const parts = terms.map((t) => {
		let sql = columnExpr(ctx, alias, relation, t.column, t.path);
		if (t.direction) sql += ` ${t.direction.toUpperCase()}`;
		if (t.nulls) sql += ` NULLS ${t.nulls.toUpperCase()}`;
		return sql;
	});
	return ` ORDER BY ${parts.join(', ')}`;
}

function limitSql(ctx: ReadContext, limit: number | undefined, offset: number | undefined): string {
	let sql = '';
	if (limit !== undefined) sql += ` LIMIT ${ctx.params.add(limit)}::bigint`;
	if (offset !== undefined && offset > 0) sql += ` OFFSET ${ctx.params.add(offset)}::bigint`;
	return sql;
}

const nodeKey = (path: string[]) => path.join('.');

/** Builds the select list (and lateral joins) of one level of the embedding tree. */
export function buildLevel(
	ctx: ReadContext,
	alias: string,
	relation: Relation | null,
	items: SelectItem[],
	path: string[]
): Level {
	const level: Level = { columns: [], joins: [], embeds: new Map(), names: [], groupBy: '' };
	// A to-one spread's aggregates are computed here (hoisted), so they aggregate this level too.
	const aggregated = items.some(
		(i) => isAggregate(i) || (i.type === 'embed' && i.spread && i.children.some(isAggregate))
	);
	if (aggregated) ctx.hasAggregate = true;
	// With an aggregate every other field is a group (PostgREST's `groupF`): `*` is expanded for it.
	const groups: string[] = [];
	// PostgREST selects the plain fields first and the embeds after them, so an embed wins over a
	// column of the same name in the JSON (the last duplicate key is the one clients keep).
	const embedColumns: string[] = [];
	const embedNames: string[] = [];
	const embedGroups: string[] = [];
	for (const item of items) {
		if (item.type === 'star') {
			const star =
				(path.length === 0 && ctx.topStar) || (aggregated && relation?.columns.map((c) => c.name));
			level.columns.push(star ? star.map((c) => `${alias}.${ident(c)}`).join(', ') : `${alias}.*`);
			level.names.push(...(star || (relation?.columns ?? []).map((c) => c.name)));
			if (star) groups.push(...star.map((c) => `${alias}.${ident(c)}`));
		} else if (item.type === 'field') {
			level.columns.push(fieldSql(ctx, alias, relation, item));
			level.names.push(outputName(item));
			if (!item.aggregate)
				groups.push(
					item.alias || item.path.length ? ident(outputName(item)) : `${alias}.${ident(item.name)}`
				);
		} else
			buildEmbed(ctx, alias, relation, item, path, level, embedColumns, embedNames, embedGroups);
	}
	level.columns.push(...embedColumns);
	level.names.push(...embedNames);
	groups.push(...embedGroups);
	if (aggregated && groups.length) level.groupBy = ` GROUP BY ${groups.join(', ')}`;
	return level;
}

function buildEmbed(
	ctx: ReadContext,
	parentAlias: string,
	parent: Relation | null,
	embed: EmbedItem,
	path: string[],
	level: Level,
	columns: string[],
	names: string[],
	groups: string[]
): void {
	if (!parent) throw notImplemented(`embedding '${embed.name}' on this result`);
	const rel = findRelationship(ctx.cache, parent, embed.name, embed.hint);
	const name = embedName(embed);
	const childPath = [...path, name];
	const key = nodeKey(childPath);
	ctx.used.add(key);
	const modifiers = ctx.nodes.get(key) ?? { conditions: [], order: [] };
	// PostgREST's aliases: `target_depth` inside the embed, `origin_name_depth` for the lateral
	// join. Two embeds of one level with the same name and no alias then collide, and Postgres
	// refuses the statement with 42712 exactly as it does behind PostgREST.
	const depth = childPath.length;
	const alias = ident(`${rel.target.name}_${depth}`);
	const toOne = isToOne(rel);
	// PostgREST's hoistSpreadAggFunctions: a to-one spread selects the plain values and the
	// aggregates run in the level it is spread into. Only one level of spreading is served.
	const hoisted = new Map<string, FieldItem>();
	let children = embed.children;
	if (embed.spread && toOne && children.some(isAggregate)) {
		children = embed.children.flatMap((c) => {
			if (c.type !== 'field' || !c.aggregate) return [c];
			const key = c.name === '*' ? '' : (c.alias ?? c.name);
			hoisted.set(key === '' ? `pgrst_found` : key, c);
			return c.name === '*'
				? []
				: [{ ...c, alias: key, aggregate: undefined, aggregateCast: undefined }];
		});
	}
	if (embed.spread)
		for (const child of children)
			if (child.type === 'embed' && child.spread && child.children.some(isAggregate))
				throw notImplemented(`aggregates spread through more than one level ('${child.name}')`);
	const inner = buildLevel(ctx, alias, rel.target, children, childPath);
	if (hoisted.size) ctx.hasAggregate = true;
	const where = joinConditions(rel, parentAlias, alias);
	for (const condition of modifiers.conditions)
		where.push(conditionSql(ctx, alias, rel.target, condition, inner.embeds));
	let from = rel.computed
		? `${qualified(rel.computed.schema, rel.computed.name)}(${parentAlias}::${qualified(parent.schema, parent.name)}) AS ${alias}`
		: `${qualified(rel.target.schema, rel.target.name)} AS ${alias}`;
	if (rel.junction) {
		const j = ident(`${rel.junction.relation.name}_${++ctx.counter}`);
		from += ` INNER JOIN ${qualified(rel.junction.relation.schema, rel.junction.relation.name)} AS ${j} ON ${rel.junction.targetPairs
			.map(([jc, tc]) => `${j}.${ident(jc)} = ${alias}.${ident(tc)}`)
			.join(' AND ')}`;
		where.push(
			...rel.junction.originPairs.map(
				([jc, oc]) => `${j}.${ident(jc)} = ${parentAlias}.${ident(oc)}`
			)
		);
	}
	if (embed.spread && !toOne && embed.children.some(isAggregate))
		throw new RestError(
			400,
			'PGRST127',
			'Feature not implemented',
			'Aggregates are not implemented for one-to-many or many-to-many spreads.'
		);
	const innerColumns = hoisted.has('pgrst_found')
		? [...inner.columns, 'TRUE AS "pgrst_found"']
		: inner.columns;
	const innerSql =
		`SELECT ${innerColumns.join(', ')} FROM ${from}${inner.joins.join('')}` +
		` WHERE ${where.length ? where.join(' AND ') : 'TRUE'}` +
		inner.groupBy +
		orderSql(ctx, alias, rel.target, modifiers.order) +
		limitSql(ctx, modifiers.limit, modifiers.offset);
	const lateral = ident(`${parent.name}_${name}_${depth}`);
	const joinType = embed.join === 'inner' ? 'INNER' : 'LEFT';
	if (embed.spread && toOne && hoisted.size) {
		level.joins.push(` ${joinType} JOIN LATERAL (${innerSql}) AS ${lateral} ON TRUE`);
		for (const n of inner.names.filter((n) => !hoisted.has(n))) {
			columns.push(`${lateral}.${ident(n)}`);
			names.push(n);
			groups.push(`${lateral}.${ident(n)}`);
		}
		for (const [key, field] of hoisted) {
			let expr = `${field.aggregate!.toUpperCase()}(${lateral}.${ident(key)})`;
			if (field.aggregateCast !== undefined) {
				if (!isSafeTypeName(field.aggregateCast))
					throw parseError(
						`"failed to parse select parameter" cast "${field.aggregateCast}"`,
						'expecting a type name'
					);
				expr = `CAST(${expr} AS ${field.aggregateCast})`;
			}
			columns.push(`${expr} AS ${ident(field.alias ?? field.aggregate!)}`);
			names.push(field.alias ?? field.aggregate!);
		}
		return;
	}
	if (embed.spread && toOne) {
		level.joins.push(` ${joinType} JOIN LATERAL (${innerSql}) AS ${lateral} ON TRUE`);
		if (embed.children.length > 0) columns.push(`${lateral}.*`);
		names.push(...inner.names);
		groups.push(...inner.names.map((n) => `${lateral}.${ident(n)}`));
		return;
	}
	if (embed.spread) {
		// PostgREST 14 spreads a to-many embed as one array per key, in the rows' order.
		const arrays = inner.names.map(
			(n) => `, COALESCE(json_agg(pgrst_row.${ident(n)}), '[]')::jsonb AS ${ident(n)}`
		);
		level.joins.push(
			` ${joinType} JOIN LATERAL (SELECT json_agg(pgrst_row)::jsonb AS "pgrst_json"${arrays.join('')} FROM (${innerSql}) AS pgrst_row) AS ${lateral} ON ${embed.join === 'inner' ? `${lateral}."pgrst_json" IS NOT NULL` : 'TRUE'}`
		);
		columns.push(...inner.names.map((n) => `${lateral}.${ident(n)}`));
		names.push(...inner.names);
		groups.push(...inner.names.map((n) => `${lateral}.${ident(n)}`));
		return;
	}
	// Embedded values are jsonb, as PostgREST renders them: its key order and spacing, and the last
	// of duplicate keys.
	if (toOne) {
		level.joins.push(
			` ${joinType} JOIN LATERAL (SELECT row_to_json(pgrst_row.*)::jsonb AS "pgrst_json" FROM (${innerSql}) AS pgrst_row) AS ${lateral} ON TRUE`
		);
		if (!emptyEmbed(embed)) {
			columns.push(`${lateral}."pgrst_json" AS ${ident(name)}`);
			names.push(name);
			groups.push(ident(name));
		}
	} else {
		level.joins.push(
			` ${joinType} JOIN LATERAL (SELECT json_agg(pgrst_row)::jsonb AS "pgrst_json" FROM (${innerSql}) AS pgrst_row) AS ${lateral} ON ${embed.join === 'inner' ? `${lateral}."pgrst_json" IS NOT NULL` : 'TRUE'}`
		);
		if (!emptyEmbed(embed)) {
			columns.push(`COALESCE(${lateral}."pgrst_json", '[]') AS ${ident(name)}`);
			names.push(name);
			groups.push(ident(name));
		}
	}
	level.embeds.set(name, { alias: lateral, toOne });
}

const isAggregate = (item: SelectItem): boolean => item.type === 'field' && !!item.aggregate;

/** PostgREST's `hasOnlyNullEmbed`: no field below, only (nested) empty embeds; it joins, adds no key. */
function emptyEmbed(embed: EmbedItem): boolean {
	return embed.children.every((c) => c.type === 'embed' && emptyEmbed(c));
}

function joinConditions(rel: Relationship, parentAlias: string, alias: string): string[] {
	return rel.pairs.map(([oc, tc]) => `${alias}.${ident(tc)} = ${parentAlias}.${ident(oc)}`);
}

export interface ReadPlan {
	/** `WITH …` definitions the FROM source relies on (mutation or function call). */
	ctes: string[];
	/** The FROM item: a table or a CTE name. */
	from: string;
	alias: string;
	relation: Relation | null;
	select: SelectItem[];
	/** Apply the top-level filters (reads, RPC); `order` always applies, sorting a representation. */
	topModifiers: boolean;
	count: boolean;
	/** Effective top-level window (query string, Range header and `[api] max_rows` combined). */
	limit?: number;
	offset?: number;
	stripNulls: boolean;
	/** Render `text/csv` as PostgREST does: a header of keys, then each row's record text. */
	csv?: boolean;
	/** Further output columns of the statement, e.g. whether an upsert inserted anything. */
	extraColumns?: string[];
	/** Output only these columns' values (for the Location header), instead of the body. */
	keyColumns?: string[];
}

/**
 * One statement answering `total_count` (or null), `page_total` and `body` (JSON text of the
 * row array, built by Postgres).
 */
export function buildReadSql(ctx: ReadContext, plan: ReadPlan): string {
	const top = ctx.nodes.get('') ?? { conditions: [], order: [] };
	const level = buildLevel(ctx, plan.alias, plan.relation, plan.select, []);
	const where = plan.topModifiers
		? top.conditions.map((c) => conditionSql(ctx, plan.alias, plan.relation, c, level.embeds))
		: [];
	const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
	const fromSql = `${plan.from} AS ${plan.alias}${level.joins.join('')}`;
	const columns = level.columns.length ? level.columns.join(', ') : '';
	// PostgREST validates aggregates after resolving every embed (validateAggFunctions).
	if (ctx.hasAggregate && !ctx.aggregatesEnabled) throw aggregateError();
	const inner =
		`SELECT ${columns} FROM ${fromSql}${whereSql}${level.groupBy}` +
		orderSql(ctx, plan.alias, plan.relation, top.order) +
		limitSql(ctx, plan.limit, plan.offset);
	// Left joins cannot change the count unless a condition looks at them.
	const countJoins = ctx.embedFilters
		? level.joins
		: level.joins.filter((j) => j.startsWith(' INNER'));
	ctx.countSql = `SELECT 1 FROM ${plan.from} AS ${plan.alias}${countJoins.join('')}${whereSql}`;
	const count = plan.count
		? `(SELECT pg_catalog.count(*) FROM ${plan.from} AS ${plan.alias}${countJoins.join('')}${whereSql})`
		: 'NULL::bigint';
	let body = `coalesce(json_agg(_postgrest_t), '[]')`;
	if (plan.stripNulls) body = `json_strip_nulls(${body})`;
	if (plan.csv)
		body =
			`coalesce((SELECT string_agg(pgrst_key, ',') FROM json_object_keys(json_agg(_postgrest_t)->0) AS pgrst_key), '')` +
			` || chr(10) || coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')`;
	if (plan.keyColumns)
		body = `coalesce(json_agg(json_build_array(${plan.keyColumns.map((c) => `_postgrest_t.${ident(c)}`).join(', ')})), '[]')`;
	const withSql = plan.ctes.length ? `WITH ${plan.ctes.join(', ')} ` : '';
	const extra = (plan.extraColumns ?? []).map((c) => `, ${c}`).join('');
	return `${withSql}SELECT ${count} AS total_count, pg_catalog.count(_postgrest_t) AS page_total, ${body}::text AS body${extra} FROM (${inner}) _postgrest_t`;
}

/** Every modifier in the query string must belong to an embed of the select (PGRST108). */
export function checkUnusedNodes(ctx: ReadContext): void {
	for (const [key, node] of ctx.nodes) {
		if (ctx.used.has(key)) continue;
		if (
			node.conditions.length === 0 &&
			node.order.length === 0 &&
			node.limit === undefined &&
			node.offset === undefined
		)
			continue;
		const name = key.split('.').at(-1);
		throw new RestError(
			400,
			'PGRST108',
			`'${name}' is not an embedded resource in this request`,
			null,
			`Verify that '${name}' is included in the 'select' query parameter.`
		);
	}
}
