/**
 * Classifies and parses the query string (spec §3.3–§3.5): reserved keys, embed-path modifiers
 * (`rel.order`, `rel.limit`, `rel.or`), filters with their operator expressions, logic trees.
 */
import { parseError, RestError } from './errors.ts';
import {
	Cursor,
	parseColumnPath,
	parseSelect,
	readJsonPath,
	readName,
	type JsonStep,
	type SelectItem
} from './select-parser.ts';

export const OPERATORS = {
	eq: '=',
	neq: '<>',
	gt: '>',
	gte: '>=',
	lt: '<',
	lte: '<=',
	like: 'like',
	ilike: 'ilike',
	match: '~',
	imatch: '~*',
	cs: '@>',
	cd: '<@',
	ov: '&&',
	sl: '<<',
	sr: '>>',
	nxr: '&<',
	nxl: '&>',
	adj: '-|-',
	isdistinct: 'is distinct from',
	in: 'in',
	is: 'is',
	fts: 'to_tsquery',
	plfts: 'plainto_tsquery',
	phfts: 'phraseto_tsquery',
	wfts: 'websearch_to_tsquery'
} as const;

export type Operator = keyof typeof OPERATORS;

const QUANTIFIABLE = new Set(['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
const FTS = new Set(['fts', 'plfts', 'phfts', 'wfts']);
const IS_VALUES = new Set(['null', 'not_null', 'true', 'false', 'unknown']);

export interface Filter {
	type: 'filter';
	column: string;
	path: JsonStep[];
	negate: boolean;
	op: Operator;
	quantifier?: 'any' | 'all';
	/** Text search configuration for the fts family. */
	config?: string;
	/** The raw value; a list for `in`. */
	value: string | string[];
}

export interface LogicTree {
	type: 'logic';
	op: 'and' | 'or';
	negate: boolean;
	children: Condition[];
}

export type Condition = Filter | LogicTree;

export interface OrderTerm {
	column: string;
	path: JsonStep[];
	direction?: 'asc' | 'desc';
	nulls?: 'first' | 'last';
}

/** Modifiers that apply to one node of the embedding tree ('' is the top level). */
export interface NodeModifiers {
	conditions: Condition[];
	order: OrderTerm[];
	limit?: number;
	offset?: number;
}

export interface QueryParams {
	select: SelectItem[];
	/** Whether the request had an explicit `select` (mutations return nothing selected otherwise). */
	hasSelect: boolean;
	columns?: string[];
	onConflict?: string[];
	/** Keyed by embed path joined with '.'; '' is the top level. */
	nodes: Map<string, NodeModifiers>;
	/** Query pairs that name function arguments (RPC via GET/HEAD). */
	args: [string, string][];
}

function failFilter(text: string, column: number, expecting: string, found: string): RestError {
	return parseError(
		`"failed to parse filter (${text})" (line 1, column ${column})`,
		`unexpected ${found} expecting ${expecting}`
	);
}

/** Parses the operator expression `[not.]op[(mod)].value` of a filter on `column`. */
export function parseOpExpr(column: string, path: JsonStep[], text: string): Filter {
	let rest = text;
	let negate = false;
	if (rest.startsWith('not.')) {
		negate = true;
		rest = rest.slice(4);
	}
	const match = /^([a-z]+)(?:\(([^)]*)\))?\./.exec(rest);
	if (!match || !(match[1] in OPERATORS)) {
		const word = /^[^.(]*/.exec(rest)?.[0] ?? '';
		throw failFilter(
			text,
			text.length - rest.length + 1,
			'operator (eq, gt, ...)',
			word ? `"${word}"` : 'end of input'
		);
	}
	const op = match[1] as Operator;
	const modifier = match[2];
	const raw = rest.slice(match[0].length);
	const filter: Filter = { type: 'filter', column, path, negate, op, value: raw };
	if (modifier !== undefined) {
		if (QUANTIFIABLE.has(op) && (modifier === 'any' || modifier === 'all'))
			filter.quantifier = modifier;
		else if (FTS.has(op) && modifier !== '') filter.config = modifier;
		else throw failFilter(text, text.length - rest.length + op.length + 1, '"."', '"("');
	}
	if (op === 'in') filter.value = parseList(raw, text);
	else if (op === 'is') {
		if (!IS_VALUES.has(raw.toLowerCase()))
			throw failFilter(
				text,
				text.length - raw.length + 1,
				'null or trilean value (unknown, true, false)',
				`"${raw}"`
			);
		filter.value = raw.toLowerCase();
	} else if (filter.quantifier && !/^\{.*\}$/s.test(raw)) {
		throw failFilter(
			text,
			text.length - raw.length + 1,
			'"{"',
			raw ? `"${raw[0]}"` : 'end of input'
		);
	}
	return filter;
}

/** `(a,b,"c,d")` → ['a', 'b', 'c,d']; `()` → []. */
function parseList(raw: string, text: string): string[] {
	if (!raw.startsWith('(') || !raw.endsWith(')'))
		throw failFilter(
			text,
			text.length - raw.length + 1,
			'"("',
			raw ? `"${raw[0]}"` : 'end of input'
		);
	const inner = raw.slice(1, -1);
	const items: string[] = [];
	if (inner === '') return items;
	let i = 0;
	for (;;) {
		let item = '';
		if (inner[i] === '"') {
			i++;
			while (i < inner.length && inner[i] !== '"') {
				if (inner[i] === '\\' && i + 1 < inner.length) i++;
				item += inner[i++];
			}
			if (inner[i] !== '"') throw failFilter(text, text.length, '"\\""', 'end of input');
			i++;
		} else {
			while (i < inner.length && inner[i] !== ',') item += inner[i++];
		}
		items.push(item);
		if (i >= inner.length) break;
		if (inner[i] !== ',')
			throw failFilter(text, text.length - raw.length + i + 2, '","', `"${inner[i]}"`);
		i++;
	}
	return items;
}

/** Parses a logic tree value `(item,item,…)` for key `or`/`and`/`not.or`/`not.and`. */
export function parseLogicTree(op: 'and' | 'or', negate: boolean, text: string): LogicTree {
	const c = new Cursor(text, 'logic tree');
	const tree = readTreeBody(c, op, negate);
	if (!c.eof()) c.fail('end of input');
	return tree;
}

function readTreeBody(c: Cursor, op: 'and' | 'or', negate: boolean): LogicTree {
	c.expect('(');
	c.enter();
	const children: Condition[] = [readTreeItem(c)];
	while (c.peek() === ',') {
		c.pos++;
		children.push(readTreeItem(c));
	}
	c.expect(')');
	c.depth--;
	return { type: 'logic', op, negate, children };
}

function readTreeItem(c: Cursor): Condition {
	for (const [prefix, op, negate] of [
		['and(', 'and', false],
		['or(', 'or', false],
		['not.and(', 'and', true],
		['not.or(', 'or', true]
	] as const) {
		if (c.startsWith(prefix)) {
			c.pos += prefix.length - 1;
			return readTreeBody(c, op, negate);
		}
	}
	const column = readName(c);
	const path = readJsonPath(c);
	c.expect('.');
	// Operator part: `[not.]op[(mod)].`
	const head = /^(?:not\.)?[a-z]+(?:\([^)]*\))?\./.exec(c.text.slice(c.pos));
	if (!head) c.fail('operator (eq, gt, ...)');
	c.pos += head[0].length;
	return parseOpExpr(column, path, head[0] + readTreeValue(c));
}

/** A value inside a logic tree: quoted, a `(list)`, a `{array}`, or raw up to `,`/`)`. */
function readTreeValue(c: Cursor): string {
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
	const open = c.peek();
	if (open === '(' || open === '{') {
		const close = open === '(' ? ')' : '}';
		const start = c.pos;
		let inQuotes = false;
		while (!c.eof()) {
			const ch = c.peek();
			if (ch === '\\' && inQuotes) c.pos++;
			else if (ch === '"') inQuotes = !inQuotes;
			else if (ch === close && !inQuotes) break;
			c.pos++;
		}
		c.expect(close);
		return c.text.slice(start, c.pos);
	}
	const start = c.pos;
	while (!c.eof() && c.peek() !== ',' && c.peek() !== ')') c.pos++;
	return c.text.slice(start, c.pos);
}

function parseOrder(text: string): OrderTerm[] {
	return text.split(',').map((part) => {
		const related = /^[^.()]+\(/.exec(part);
		if (related)
			throw new RestError(
				400,
				'PGRST127',
				'Feature not implemented',
				`ordering by a related resource (${part}) is not supported by the local REST service`
			);
		const pieces = part.split('.');
		const { name, path } = parseColumnPath(pieces[0], 'order parameter');
		const term: OrderTerm = { column: name, path };
		for (const modifier of pieces.slice(1)) {
			if (modifier === 'asc' || modifier === 'desc') term.direction = modifier;
			else if (modifier === 'nullsfirst') term.nulls = 'first';
			else if (modifier === 'nullslast') term.nulls = 'last';
			else
				throw parseError(
					`"failed to parse order (${text})" (line 1, column ${text.indexOf(modifier) + 1})`,
					`unexpected "${modifier}" expecting "asc", "desc", "nullsfirst" or "nullslast"`
				);
		}
		return term;
	});
}

function parseCount(key: string, value: string): number {
	if (!/^\d+$/.test(value))
		throw parseError(
			`"failed to parse ${key} (${value})"`,
			`unexpected "${value}" expecting digit`
		);
	return Number(value);
}

/** `"a","b"` or `a,b` → ['a', 'b']. */
function parseColumnList(value: string): string[] {
	return value.split(',').map((name) => {
		const trimmed = name.trim();
		return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
	});
}

/** Splits `a.b.col->>x` into embed path ['a','b'] and 'col->>x' (dots inside JSON paths stay). */
function splitPath(key: string): { path: string[]; last: string } {
	const arrow = key.indexOf('->');
	const head = arrow < 0 ? key : key.slice(0, arrow);
	const parts = head.split('.');
	const last = parts.pop() as string;
	return { path: parts, last: arrow < 0 ? last : last + key.slice(arrow) };
}

/**
 * Parses the query string. `isArgument` decides, for RPC via GET, which pairs are function
 * arguments rather than filters.
 */
export function parseQuery(
	search: URLSearchParams,
	isArgument: (key: string, value: string) => boolean = () => false
): QueryParams {
	const result: QueryParams = {
		select: [{ type: 'star' }],
		hasSelect: false,
		nodes: new Map(),
		args: []
	};
	const node = (path: string[]): NodeModifiers => {
		const key = path.join('.');
		let entry = result.nodes.get(key);
		if (!entry) result.nodes.set(key, (entry = { conditions: [], order: [] }));
		return entry;
	};
	node([]);
	for (const [key, value] of search) {
		if (key === 'select') {
			result.select = parseSelect(value);
			result.hasSelect = true;
			continue;
		}
		if (key === 'columns') {
			result.columns = parseColumnList(value);
			continue;
		}
		if (key === 'on_conflict') {
			result.onConflict = parseColumnList(value);
			continue;
		}
		if (isArgument(key, value)) {
			result.args.push([key, value]);
			continue;
		}
		if (value === '') continue;
		const { path, last } = splitPath(key);
		if (last === 'order') node(path).order.push(...parseOrder(value));
		else if (last === 'limit') node(path).limit = parseCount(key, value);
		else if (last === 'offset') node(path).offset = parseCount(key, value);
		else if (last === 'or' || last === 'and') {
			const negate = path.at(-1) === 'not';
			const treePath = negate ? path.slice(0, -1) : path;
			node(treePath).conditions.push(parseLogicTree(last, negate, value));
		} else {
			const { name, path: jsonPath } = parseColumnPath(last, 'filter');
			node(path).conditions.push(parseOpExpr(name, jsonPath, value));
		}
	}
	return result;
}
