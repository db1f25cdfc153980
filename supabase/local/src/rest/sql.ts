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
 * Type names come from the select string (`col::int`) and reach the SQL text, so only plain type
 * names are accepted: words, optional `(n[,m])` modifiers and `[]` suffixes.
 */
const TYPE_NAME =
	/^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?(?: [a-z_][a-z0-9_]*)*(?:\(\d+(?:,\d+)?\))?(?:\[\])*$/i;

/** Whether a cast target from the query string may appear in SQL text. */
export function isSafeTypeName(name: string): boolean {
	return TYPE_NAME.test(name);
}
