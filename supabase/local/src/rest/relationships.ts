/** Finds the relationship an embed names (spec §3.7, PostgREST's `findRel`). */
import { RestError } from './errors.ts';
import type { ForeignKey, Relation, SchemaCache } from './schema-cache.ts';

export type Cardinality = 'many-to-one' | 'one-to-many' | 'one-to-one' | 'many-to-many';

export interface Relationship {
	cardinality: Cardinality;
	target: Relation;
	/** FK constraint name (the origin-side one for many-to-many). */
	constraint: string;
	/** Direct joins: [origin column, target column] pairs. */
	pairs: [string, string][];
	/** Many-to-many: the junction and its column pairs towards origin and target. */
	junction?: {
		relation: Relation;
		originPairs: [string, string][];
		targetPairs: [string, string][];
		targetConstraint: string;
	};
	/** The FK's columns on the origin side (many-to-one) or the target side, for hint matching. */
	originColumns: string[];
	targetColumns: string[];
	/** A computed relationship: the function called with the parent row, instead of a join. */
	computed?: { schema: string; name: string };
}

export const isToOne = (r: Relationship): boolean =>
	r.cardinality === 'many-to-one' || r.cardinality === 'one-to-one';

const sameSet = (a: string[], b: string[]) =>
	a.length === b.length && a.every((c) => b.includes(c));
const isUnique = (relation: Relation, columns: string[]) =>
	relation.uniqueKeys.some((u) => sameSet(u, columns));

/** Every relationship leaving `origin`. */
export function relationshipsOf(cache: SchemaCache, origin: Relation): Relationship[] {
	const out: Relationship[] = [];
	const zip = (a: string[], b: string[]) => a.map((c, i) => [c, b[i]] as [string, string]);
	for (const fk of cache.foreignKeys) {
		if (fk.from === origin) {
			out.push({
				cardinality: isUnique(fk.from, fk.columns) ? 'one-to-one' : 'many-to-one',
				target: fk.to,
				constraint: fk.name,
				pairs: zip(fk.columns, fk.toColumns),
				originColumns: fk.columns,
				targetColumns: fk.toColumns
			});
		}
		if (fk.to === origin) {
			out.push({
				cardinality: isUnique(fk.from, fk.columns) ? 'one-to-one' : 'one-to-many',
				target: fk.from,
				constraint: fk.name,
				pairs: zip(fk.toColumns, fk.columns),
				originColumns: fk.toColumns,
				targetColumns: fk.columns
			});
		}
	}
	// Many-to-many: a junction whose primary key covers a key to the origin and one to the target.
	const byJunction = new Map<Relation, ForeignKey[]>();
	for (const fk of cache.foreignKeys) {
		if (fk.from.kind !== 'table') continue;
		byJunction.set(fk.from, [...(byJunction.get(fk.from) ?? []), fk]);
	}
	for (const [junction, keys] of byJunction) {
		const pk = junction.primaryKey;
		for (const a of keys) {
			if (a.to !== origin || !a.columns.every((c) => pk.includes(c))) continue;
			for (const b of keys) {
				if (b === a || !b.columns.every((c) => pk.includes(c))) continue;
				out.push({
					cardinality: 'many-to-many',
					target: b.to,
					constraint: a.name,
					pairs: [],
					junction: {
						relation: junction,
						originPairs: zip(a.columns, a.toColumns),
						targetPairs: zip(b.columns, b.toColumns),
						targetConstraint: b.name
					},
					originColumns: a.toColumns,
					targetColumns: b.toColumns
				});
			}
		}
	}
	return out;
}

/** PostgREST's `matchFKSingleCol`: a one-column key whose origin-side column is `name`. */
const originColumnIs = (r: Relationship, name: string) =>
	!r.junction && r.pairs.length === 1 && r.pairs[0][0] === name;
/** PostgREST's `matchFKRefSingleCol`: a one-column key whose target-side column is `name`. */
const targetColumnIs = (r: Relationship, name: string) =>
	!r.junction && r.pairs.length === 1 && r.pairs[0][1] === name;

/**
 * Whether `target[!hint]` names `r`, by PostgREST's `findRel` rules. A self-referencing key has
 * two sides: the table's name (with the referencing column as hint) picks the one-to-many side,
 * the referencing column alone the many-to-one side; nothing else names either of them.
 */
function matches(r: Relationship, origin: Relation, target: string, hint?: string): boolean {
	if (!r.junction && r.target === origin) {
		if (hint === undefined)
			return (
				(r.target.name === target && r.cardinality === 'one-to-many') ||
				(originColumnIs(r, target) && r.cardinality === 'many-to-one')
			);
		return r.target.name === target && r.cardinality === 'one-to-many' && targetColumnIs(r, hint);
	}
	if (hint === undefined)
		return (
			r.target.name === target ||
			(!r.junction && r.target.kind !== 'view' && r.constraint === target) ||
			(r.target.kind !== 'view' && originColumnIs(r, target))
		);
	if (r.target.name !== target) return false;
	if (r.junction) return r.junction.relation.name === hint;
	return r.constraint === hint || originColumnIs(r, hint) || targetColumnIs(r, hint);
}

const CARDINALITY_RANK: Record<Cardinality, number> = {
	'one-to-many': 0,
	'many-to-one': 1,
	'one-to-one': 2,
	'many-to-many': 3
};
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The order of PostgREST's schema cache (the derived `Ord` of its `Relationship`): target schema
 * and name, self-reference, cardinality, then constraint or junction; PGRST201 lists candidates so.
 */
function byPostgrestOrder(a: Relationship, b: Relationship): number {
	return (
		compareText(a.target.schema, b.target.schema) ||
		compareText(a.target.name, b.target.name) ||
		CARDINALITY_RANK[a.cardinality] - CARDINALITY_RANK[b.cardinality] ||
		(a.junction && b.junction
			? compareText(a.junction.relation.schema, b.junction.relation.schema) ||
				compareText(a.junction.relation.name, b.junction.relation.name) ||
				compareText(a.constraint, b.constraint) ||
				compareText(a.junction.targetConstraint, b.junction.targetConstraint)
			: compareText(a.constraint, b.constraint))
	);
}

/** Computed relationships leaving `origin`, shaped as relationships without join columns. */
function computedOf(cache: SchemaCache, origin: Relation): Relationship[] {
	return cache.computedRelationships
		.filter((c) => c.from === origin)
		.map((c) => ({
			cardinality: c.toOne ? 'many-to-one' : 'one-to-many',
			target: c.to,
			constraint: c.name,
			pairs: [],
			originColumns: [],
			targetColumns: [],
			computed: { schema: c.schema, name: c.name }
		}));
}

/**
 * PostgREST's relationship map with computed relationships: one named like a table of its schema
 * replaces the foreign-key relationships to that table (`getOverrideRelationshipsMap`).
 */
function relationshipsWithComputed(cache: SchemaCache, origin: Relation): Relationship[] {
	const computed = computedOf(cache, origin);
	if (computed.length === 0) return relationshipsOf(cache, origin);
	const overridden = (r: Relationship) =>
		computed.some(
			(c) => c.computed!.schema === r.target.schema && c.computed!.name === r.target.name
		);
	return [...relationshipsOf(cache, origin).filter((r) => !overridden(r)), ...computed];
}

/** Resolves `target[!hint]` from `origin`, or throws PGRST200 / PGRST201 as PostgREST does. */
export function findRelationship(
	cache: SchemaCache,
	origin: Relation,
	target: string,
	hint: string | undefined
): Relationship {
	const found = relationshipsWithComputed(cache, origin)
		// A computed relationship is found by the function's name alone (Plan.hs `findRel`).
		.filter((r) => (r.computed ? r.computed.name === target : matches(r, origin, target, hint)))
		.sort(byPostgrestOrder);
	if (found.length === 1) return found[0];
	if (found.length === 0)
		throw new RestError(
			400,
			'PGRST200',
			`Could not find a relationship between '${origin.name}' and '${target}' in the schema cache`,
			`Searched for a foreign key relationship between '${origin.name}' and '${hint ? `${target}' using the hint '${hint}` : target}' in the schema '${origin.schema}', but no matches were found.`,
			null
		);
	throw new RestError(
		300,
		'PGRST201',
		`Could not embed because more than one relationship was found for '${origin.name}' and '${target}'`,
		found.map((r) => ({
			cardinality: r.cardinality,
			embedding: `${origin.name} with ${r.target.name}`,
			relationship: r.junction
				? `${r.junction.relation.name} using ${r.constraint}(${r.junction.originPairs.map((p) => p[0]).join(', ')}) and ${r.junction.targetConstraint}(${r.junction.targetPairs.map((p) => p[0]).join(', ')})`
				: `${r.constraint} using ${origin.name}(${r.pairs.map((p) => p[0]).join(', ')}) and ${r.target.name}(${r.pairs.map((p) => p[1]).join(', ')})`
		})),
		`Try changing '${target}' to one of the following: ${found
			.map((r) => `'${target}!${r.junction ? r.junction.relation.name : r.constraint}'`)
			.join(', ')}. Find the desired relationship in the 'details' key.`
	);
}
