/**
 * The `select` parameter grammar (spec §3.6): columns with aliases, JSON paths and casts, `*`,
 * embedded resources with hints and `!inner`/`!left`, and `...spread(cols)`.
 */
import { RestError, parseError } from './errors.ts';

export interface JsonStep {
	arrow: '->' | '->>';
	/** A key, or an array index (possibly negative). */
	key: string | number;
}

export type AggregateFunction = 'count' | 'sum' | 'avg' | 'max' | 'min';

export interface FieldItem {
	type: 'field';
	/** A column, or `*` for `count()`. */
	name: string;
	alias?: string;
	path: JsonStep[];
	/** Cast of the value (inside an aggregate). */
	cast?: string;
	/** `col.sum()`, `count()`: allowed only with `db-aggregates-enabled`. */
	aggregate?: AggregateFunction;
	/** Cast of the aggregate's result (`col.sum()::text`). */
	aggregateCast?: string;
}

export interface StarItem {
	type: 'star';
}

export interface EmbedItem {
	type: 'embed';
	/** Table/view name, FK constraint name or FK column the embed names. */
	name: string;
	alias?: string;
	hint?: string;
	join: 'left' | 'inner';
	spread: boolean;
	children: SelectItem[];
}

export type SelectItem = FieldItem | StarItem | EmbedItem;

/** Key under which a field appears in the JSON output. */
export function outputName(field: FieldItem): string {
	if (field.alias) return field.alias;
	// Postgres names `SUM(x)`, also cast, after the function; PostgREST adds no alias.
	if (field.aggregate) return field.aggregate;
	const last = field.path.at(-1);
	return last && typeof last.key === 'string' ? last.key : field.name;
}

/** Key under which an embed appears, and the name its query-string modifiers use. */
export function embedName(embed: EmbedItem): string {
	return embed.alias ?? embed.name;
}

const AGGREGATES: AggregateFunction[] = ['count', 'sum', 'avg', 'max', 'min'];

/** Deeper nesting than any real query needs; it keeps recursion bounded for hostile input. */
const MAX_DEPTH = 32;

class Cursor {
	pos = 0;
	depth = 0;
	constructor(
		readonly text: string,
		readonly what: string
	) {}

	peek(n = 0): string {
		return this.text[this.pos + n] ?? '';
	}
	startsWith(s: string): boolean {
		return this.text.startsWith(s, this.pos);
	}
	eof(): boolean {
		return this.pos >= this.text.length;
	}
	fail(expecting: string): never {
		const found = this.eof() ? 'end of input' : `"${this.peek()}"`;
		throw parseError(
			`"failed to parse ${this.what} (${this.text})" (line 1, column ${this.pos + 1})`,
			`unexpected ${found} expecting ${expecting}`
		);
	}
	/** Enters one nesting level (embed, logic tree); PGRST100 beyond MAX_DEPTH. */
	enter(): void {
		if (++this.depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} nesting levels`);
	}
	expect(s: string): void {
		if (!this.startsWith(s)) this.fail(`"${s}"`);
		this.pos += s.length;
	}
}

/** Reads an identifier: a double-quoted name or letters, digits, `_`, `$`, spaces and inner dashes. */
function readName(c: Cursor, expecting = 'field name (* or [a..z0..9_$])'): string {
	if (c.peek() === '"') {
		c.pos++;
		let out = '';
		while (!c.eof() && c.peek() !== '"') {
			if (c.peek() === '\\' && c.pos + 1 < c.text.length) c.pos++;
			out += c.peek();
			c.pos++;
		}
		c.expect('"');
		return out;
	}
	const start = c.pos;
	for (;;) {
		const ch = c.peek();
		if (/[\p{L}\p{N}_$ ]/u.test(ch)) c.pos++;
		else if (ch === '-' && c.peek(1) !== '>' && /[\p{L}\p{N}_$ ]/u.test(c.peek(1))) c.pos++;
		else break;
	}
	if (c.pos === start) c.fail(expecting);
	return c.text.slice(start, c.pos);
}

/** Reads `->key`, `->>key`, `->0` steps; shared with filters and order. */
export function readJsonPath(c: Cursor): JsonStep[] {
	const path: JsonStep[] = [];
	while (c.startsWith('->')) {
		const arrow = c.startsWith('->>') ? '->>' : '->';
		c.pos += arrow.length;
		const index = /^-?\d+(?![\p{L}_$\d])/u.exec(c.text.slice(c.pos));
		if (index && c.peek() !== '"') {
			c.pos += index[0].length;
			path.push({ arrow, key: Number(index[0]) });
		} else {
			path.push({ arrow, key: readName(c, 'json key') });
		}
	}
	return path;
}

function readCast(c: Cursor): string | undefined {
	if (!c.startsWith('::')) return undefined;
	c.pos += 2;
	const start = c.pos;
	while (
		/[A-Za-z0-9_ [\]().,]/.test(c.peek()) &&
		!(c.peek() === ',' || c.peek() === ')') &&
		!AGGREGATES.some((a) => c.startsWith(`.${a}()`))
	)
		c.pos++;
	if (c.pos === start) c.fail('cast type');
	return c.text.slice(start, c.pos).trim();
}

/** PGRST123, PostgREST's answer to an aggregate while `db-aggregates-enabled` is off. */
export function aggregateError(): RestError {
	return new RestError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
}

/** `.sum()` etc. after a field, as PostgREST's `pAggregation`. */
function readAggregate(c: Cursor): AggregateFunction | undefined {
	const found = AGGREGATES.find((a) => c.startsWith(`.${a}()`));
	if (found) c.pos += found.length + 3;
	return found;
}

function readItem(c: Cursor): SelectItem {
	if (c.peek() === '*') {
		c.pos++;
		return { type: 'star' };
	}
	if (c.startsWith('...')) {
		c.pos += 3;
		const name = readName(c);
		const embed = readEmbedRest(c, name, undefined, true);
		if (!embed) c.fail('"("');
		return embed;
	}
	let alias: string | undefined;
	let name = readName(c);
	if (c.peek() === ':' && c.peek(1) !== ':') {
		c.pos++;
		alias = name;
		if (c.startsWith('...')) c.fail('field name');
		name = readName(c);
	}
	if (name === 'count' && c.startsWith('()')) {
		c.pos += 2;
		return {
			type: 'field',
			name: '*',
			alias,
			path: [],
			aggregate: 'count',
			aggregateCast: readCast(c)
		};
	}
	const embed = readEmbedRest(c, name, alias, false);
	if (embed) return embed;
	const path = readJsonPath(c);
	const cast = readCast(c);
	const aggregate = readAggregate(c);
	if (!aggregate) return { type: 'field', name, alias, path, cast };
	return { type: 'field', name, alias, path, cast, aggregate, aggregateCast: readCast(c) };
}

/** After a name: `[!hint][!inner|!left](children)`, or null when it is a plain field. */
function readEmbedRest(
	c: Cursor,
	name: string,
	alias: string | undefined,
	spread: boolean
): EmbedItem | null {
	const save = c.pos;
	let hint: string | undefined;
	let join: 'left' | 'inner' = 'left';
	while (c.peek() === '!') {
		c.pos++;
		const word = readName(c, 'embed hint or join type');
		if (word === 'inner' || word === 'left') join = word;
		else if (hint === undefined) hint = word;
		else c.fail('"inner" or "left"');
	}
	if (c.peek() !== '(') {
		if (c.pos !== save) c.fail('"("');
		return null;
	}
	c.pos++;
	c.enter();
	// Inside an embed a bare `count` is `count()`, as PostgREST answers `rel(count)`.
	const children = (c.peek() === ')' ? [] : readForest(c)).map((item) =>
		item.type === 'field' &&
		item.name === 'count' &&
		!item.alias &&
		!item.cast &&
		!item.aggregate &&
		item.path.length === 0
			? ({ type: 'field', name: '*', path: [], aggregate: 'count' } satisfies FieldItem)
			: item
	);
	c.expect(')');
	c.depth--;
	return { type: 'embed', name, alias, hint, join, spread, children };
}

function readForest(c: Cursor): SelectItem[] {
	const items = [readItem(c)];
	while (c.peek() === ',') {
		c.pos++;
		items.push(readItem(c));
	}
	return items;
}

/** Parses a `select` value; an empty value means `*`. */
export function parseSelect(text: string): SelectItem[] {
	if (text.trim() === '') return [{ type: 'star' }];
	const c = new Cursor(text, 'select parameter');
	const items = readForest(c);
	if (!c.eof()) c.fail('"," or end of input');
	return items;
}

/** Parses `col`, `col->a->>b` (filters and order keys); casts are not allowed there. */
export function parseColumnPath(text: string, what: string): { name: string; path: JsonStep[] } {
	const c = new Cursor(text, what);
	const name = readName(c);
	const path = readJsonPath(c);
	if (!c.eof()) c.fail('"->", "->>" or end of input');
	return { name, path };
}

export { Cursor, readName };
