/** SQL text helpers: every identifier is quoted, every value becomes a bound parameter. */

/** Quotes an identifier the way Postgres' `quote_ident` would always do. */
export function ident(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"` */
export function qualified(schema: string, name: string): string {
	return `${ident(schema)}.${ident(name)}`;
}

/** Collects the values of one statement and hands out `$n` placeholders for them. */
export class Params {
	readonly values: unknown[] = [];

	/** Binds a value and returns its placeholder. */
	add(value: unknown): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
}

/**
 * Keeps only the parameters `sql` refers to and renumbers them, so a statement built from part of
 * another one's text can run with its values (an unreferenced `$n` has no type to infer). Quoted
 * identifiers and literals are skipped.
 */
export function compactParams(sql: string, values: readonly unknown[]): [string, unknown[]] {
	const kept: unknown[] = [];
	const renumbered = new Map<number, number>();
	const text = sql.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'|\$(\d+)/g, (token, n?: string) => {
		if (n === undefined) return token;
		let index = renumbered.get(Number(n));
		if (index === undefined) {
			kept.push(values[Number(n) - 1]);
			renumbered.set(Number(n), (index = kept.length));
		}
		return `$${index}`;
	});
	return [text, kept];
}

/**
 * Type names come from the select string (`col::int`) and reach the SQL text, so only plain type
 * names are accepted: words, optional `(n[,m])` modifiers and `[]` suffixes.
 */
const TYPE_NAME =
	/^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?(?: [a-z_][a-z0-9_]*)*(?:\(\d+(?:,\d+)?\))?(?:\[\])*$/i;

/** Whether a cast target from the query string may appear in SQL text. */
export function isSafeTypeName(name: string): boolean {
	return TYPE_NAME.test(name);
}
