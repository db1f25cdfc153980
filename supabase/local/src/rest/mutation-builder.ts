/**
 * INSERT / UPSERT / UPDATE / DELETE as a data-modifying CTE named `pgrst_source` (spec §3.9–§3.10).
 * The JSON body reaches Postgres as one bound parameter and is expanded to typed rows there
 * (`json_populate_record`), so values convert exactly as PostgREST converts them.
 */
import { RestError, columnNotFound, notImplemented } from './errors.ts';
import { conditionSql, type ReadContext } from './read-builder.ts';
import type { Relation } from './schema-cache.ts';
import { ident, qualified } from './sql.ts';

export type JsonObject = Record<string, unknown>;

export interface InsertOptions {
	rows: JsonObject[];
	columns?: string[];
	onConflict?: string[];
	resolution?: 'merge-duplicates' | 'ignore-duplicates';
	missingDefault: boolean;
	/** RETURNING the whole row (representation, Location) or just `1` (minimal: no SELECT policy). */
	returnRows: boolean;
}

function checkColumns(relation: Relation, names: Iterable<string>): void {
	for (const name of names)
		if (!relation.columnMap.has(name)) throw columnNotFound(name, relation.name);
}

const returning = (alias: string, rows: boolean) =>
	rows ? ` RETURNING ${alias}.*` : ' RETURNING 1';

/** `pgrst_source` for POST: bulk insert, `missing=default`, upsert by `on_conflict` or primary key. */
export function buildInsertCte(
	ctx: ReadContext,
	relation: Relation,
	alias: string,
	options: InsertOptions
): string {
	const { rows } = options;
	let columns: string[];
	if (options.columns) columns = options.columns;
	else {
		columns = Object.keys(rows[0] ?? {});
		const sorted = [...columns].sort().join('\u0000');
		if (rows.some((row) => Object.keys(row).sort().join('\u0000') !== sorted))
			throw new RestError(400, 'PGRST102', 'All object keys must match');
	}
	checkColumns(relation, columns);
	const target = qualified(relation.schema, relation.name);
	const values = columns.map((c) => `pgrst_body.${ident(c)}`);
	const body = ctx.params.add(JSON.stringify(rows));
	let source = `json_array_elements(${body}::json) AS pgrst_elem(j) CROSS JOIN LATERAL json_populate_record(NULL::${target}, pgrst_elem.j) AS pgrst_body`;
	if (options.missingDefault) {
		// PostgREST's `missing=default`: each element is laid over an object of the defaults of the
		// inserted columns, so every default is evaluated for every row, also where the row has its
		// own value (a sequence advances once per row and column, as it does behind PostgREST).
		const defaults = columns.flatMap((c) => {
			const column = relation.columnMap.get(c)!;
			if (column.generated === 's') return [];
			const expr =
				column.identity === 'd'
					? `nextval(pg_get_serial_sequence(${ctx.params.add(target)}::text, ${ctx.params.add(c)}::text))`
					: column.default;
			return expr === null ? [] : [`${ctx.params.add(c)}::text, ${expr}`];
		});
		const laid = defaults.length
			? `(SELECT coalesce(jsonb_agg(jsonb_build_object(${defaults.join(', ')}) || pgrst_row.e ORDER BY pgrst_row.n), '[]') FROM jsonb_array_elements(${body}::jsonb) WITH ORDINALITY AS pgrst_row(e, n))`
			: `${body}::jsonb`;
		source = `jsonb_array_elements(${laid}) AS pgrst_elem(j) CROSS JOIN LATERAL jsonb_populate_record(NULL::${target}, pgrst_elem.j) AS pgrst_body`;
	}
	let sql =
		`INSERT INTO ${target} AS ${alias}${columns.length ? ` (${columns.map(ident).join(', ')})` : ''} ` +
		`SELECT ${values.join(', ')} FROM ${source}`;
	if (options.resolution) {
		const conflict = options.onConflict ?? relation.primaryKey;
		checkColumns(relation, conflict);
		if (conflict.length === 0)
			throw new RestError(
				400,
				'PGRST127',
				'Feature not implemented',
				`upsert into '${relation.name}' needs on_conflict: it has no primary key`
			);
		const updates = columns;
		sql += ` ON CONFLICT (${conflict.map(ident).join(', ')})`;
		sql +=
			options.resolution === 'ignore-duplicates' || updates.length === 0
				? ' DO NOTHING'
				: ` DO UPDATE SET ${updates.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', ')}`;
	} else if (options.onConflict) {
		checkColumns(relation, options.onConflict);
	}
	// xmax = 0 marks a row this statement inserted: an upsert that only updated answers 200.
	const flag = tracksInserts(relation, options) ? `, (${alias}.xmax = 0) AS pgrst_inserted` : '';
	return `pgrst_source AS (${sql}${returning(alias, options.returnRows)}${flag})`;
}

/** Whether the insert reports `pgrst_inserted` (merge upserts into tables; views have no xmax). */
export function tracksInserts(
	relation: Relation,
	options: Pick<InsertOptions, 'resolution'>
): boolean {
	return options.resolution === 'merge-duplicates' && relation.kind === 'table';
}

function whereOrRefuse(
	ctx: ReadContext,
	relation: Relation,
	alias: string,
	verb: 'UPDATE' | 'DELETE'
): string {
	const top = ctx.nodes.get('') ?? { conditions: [], order: [] };
	if (top.limit !== undefined || top.offset !== undefined)
		throw notImplemented(`limit and offset on ${verb === 'UPDATE' ? 'PATCH' : 'DELETE'}`);
	// pg-safeupdate, which hosted Supabase preloads for PostgREST (spec §3.2 step 7).
	if (top.conditions.length === 0)
		throw new RestError(400, '21000', `${verb} requires a WHERE clause`);
	return top.conditions.map((c) => conditionSql(ctx, alias, relation, c)).join(' AND ');
}

/** `pgrst_source` for PATCH; refuses an update without filters (pg-safeupdate). */
export function buildUpdateCte(
	ctx: ReadContext,
	relation: Relation,
	alias: string,
	patch: JsonObject,
	columns: string[] | undefined,
	returnRows: boolean
): string {
	const keys = columns ?? Object.keys(patch);
	checkColumns(relation, keys);
	const where = whereOrRefuse(ctx, relation, alias, 'UPDATE');
	const target = qualified(relation.schema, relation.name);
	const body = ctx.params.add(JSON.stringify(patch));
	const sets = keys.map((c) => `${ident(c)} = pgrst_body.${ident(c)}`).join(', ');
	return (
		`pgrst_source AS (UPDATE ${target} AS ${alias} SET ${sets} ` +
		`FROM (SELECT * FROM json_populate_record(NULL::${target}, ${body}::json)) AS pgrst_body ` +
		`WHERE ${where}${returning(alias, returnRows)})`
	);
}

/** `pgrst_source` for DELETE; refuses a delete without filters (pg-safeupdate). */
export function buildDeleteCte(
	ctx: ReadContext,
	relation: Relation,
	alias: string,
	returnRows: boolean
): string {
	const where = whereOrRefuse(ctx, relation, alias, 'DELETE');
	return `pgrst_source AS (DELETE FROM ${qualified(relation.schema, relation.name)} AS ${alias} WHERE ${where}${returning(alias, returnRows)})`;
}
