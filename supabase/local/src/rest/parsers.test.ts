import { describe, expect, it } from 'vitest';
import { RestError } from './errors.ts';
import { parseLogicTree, parseOpExpr, parseQuery } from './query-params.ts';
import { newReadContext, buildReadSql } from './read-builder.ts';
import type { Relation, SchemaCache } from './schema-cache.ts';
import { parseSelect } from './select-parser.ts';

function restError(fn: () => unknown): RestError {
	try {
		fn();
	} catch (error) {
		if (error instanceof RestError) return error;
		throw error;
	}
	throw new Error('expected a RestError');
}

describe('select parser', () => {
	it('reads columns, aliases, casts, JSON paths and star', () => {
		expect(
			parseSelect('*,fullName:full_name,data->>blood_type,data->phones->0->>number,salary::text')
		).toEqual([
			{ type: 'star' },
			{ type: 'field', name: 'full_name', alias: 'fullName', path: [], cast: undefined },
			{
				type: 'field',
				name: 'data',
				alias: undefined,
				path: [{ arrow: '->>', key: 'blood_type' }],
				cast: undefined
			},
			{
				type: 'field',
				name: 'data',
				alias: undefined,
				path: [
					{ arrow: '->', key: 'phones' },
					{ arrow: '->', key: 0 },
					{ arrow: '->>', key: 'number' }
				],
				cast: undefined
			},
			{ type: 'field', name: 'salary', alias: undefined, path: [], cast: 'text' }
		]);
	});

	it('reads embeds with hints, join types in either order, nesting and spreads', () => {
		const [embed, spread] = parseSelect(
			'author:profiles!inner!author_id(name,posts(id)),...tags!left(name)'
		);
		expect(embed).toMatchObject({
			type: 'embed',
			name: 'profiles',
			alias: 'author',
			hint: 'author_id',
			join: 'inner',
			spread: false,
			children: [
				{ type: 'field', name: 'name' },
				{ type: 'embed', name: 'posts', children: [{ name: 'id' }] }
			]
		});
		expect(spread).toMatchObject({ type: 'embed', name: 'tags', spread: true, join: 'left' });
		expect(parseSelect('rel()')).toMatchObject([{ type: 'embed', name: 'rel', children: [] }]);
	});

	it('reads aggregates as PostgREST does: count(), col.agg(), casts before and after', () => {
		expect(parseSelect('n:count()::text')).toEqual([
			{ type: 'field', name: '*', alias: 'n', path: [], aggregate: 'count', aggregateCast: 'text' }
		]);
		expect(parseSelect('amount::int.sum()::text,qty.max()')).toMatchObject([
			{ name: 'amount', cast: 'int', aggregate: 'sum', aggregateCast: 'text' },
			{ name: 'qty', aggregate: 'max' }
		]);
		// Inside an embed a bare `count` is `count()`; elsewhere it stays a column.
		expect(parseSelect('count,rel(count)')).toMatchObject([
			{ type: 'field', name: 'count' },
			{ type: 'embed', children: [{ type: 'field', name: '*', aggregate: 'count' }] }
		]);
	});

	it('keeps quoted names and dashes, and rejects garbage', () => {
		expect(parseSelect('"my col",first-name')).toMatchObject([
			{ name: 'my col' },
			{ name: 'first-name' }
		]);
		const error = restError(() => parseSelect('id,(name)'));
		expect(error.code).toBe('PGRST100');
		expect(error.status).toBe(400);
	});
});

describe('filter grammar', () => {
	it('reads operators, negation, quantifiers and fts configurations', () => {
		expect(parseOpExpr('a', [], 'eq.x.y')).toMatchObject({ op: 'eq', value: 'x.y', negate: false });
		expect(parseOpExpr('a', [], 'not.like.*abc*')).toMatchObject({
			op: 'like',
			negate: true,
			value: '*abc*'
		});
		expect(parseOpExpr('a', [], 'like(any).{a*,b*}')).toMatchObject({
			quantifier: 'any',
			value: '{a*,b*}'
		});
		expect(parseOpExpr('a', [], 'fts(english).cat & dog')).toMatchObject({
			op: 'fts',
			config: 'english'
		});
		expect(parseOpExpr('a', [], 'is.NULL')).toMatchObject({ op: 'is', value: 'null' });
	});

	it('splits in-lists with quoted items', () => {
		expect(parseOpExpr('a', [], 'in.(1,"x,y",  z,"q\\"uote")').value).toEqual([
			'1',
			'x,y',
			'  z',
			'q"uote'
		]);
		expect(parseOpExpr('a', [], 'in.()').value).toEqual([]);
	});

	it('refuses unknown operators and bad is values with PGRST100', () => {
		expect(restError(() => parseOpExpr('a', [], 'xx.1')).details).toContain('"xx"');
		expect(restError(() => parseOpExpr('a', [], 'is.maybe')).code).toBe('PGRST100');
		expect(restError(() => parseOpExpr('a', [], 'in.1,2')).code).toBe('PGRST100');
	});

	it('reads nested logic trees with quoted values and lists', () => {
		const tree = parseLogicTree(
			'or',
			false,
			'(a.eq.1,and(b.gt.2,c.not.in.(x,"y,z")),d.eq."p,q",not.or(e.is.null,f->>g.eq.h))'
		);
		expect(tree.children).toHaveLength(4);
		expect(tree.children[1]).toMatchObject({
			type: 'logic',
			op: 'and',
			children: [{ column: 'b' }, { column: 'c', negate: true, value: ['x', 'y,z'] }]
		});
		expect(tree.children[2]).toMatchObject({ column: 'd', value: 'p,q' });
		expect(tree.children[3]).toMatchObject({
			type: 'logic',
			op: 'or',
			negate: true,
			children: [{ op: 'is' }, { column: 'f', path: [{ arrow: '->>', key: 'g' }] }]
		});
	});
});

describe('nesting limits', () => {
	it('refuses hostile nesting depth with PGRST100 instead of overflowing the stack', () => {
		const deepTree = `(${'and('.repeat(5000)}a.eq.1${')'.repeat(5000)})`;
		expect(restError(() => parseLogicTree('or', false, deepTree)).code).toBe('PGRST100');
		const deepSelect = `${'a('.repeat(5000)}id${')'.repeat(5000)}`;
		expect(restError(() => parseSelect(deepSelect)).code).toBe('PGRST100');
		expect(parseSelect(`${'a('.repeat(10)}id${')'.repeat(10)}`)).toHaveLength(1);
	});
});

describe('query string classification', () => {
	it('sorts modifiers into embed nodes and keeps reserved keys', () => {
		const q = parseQuery(
			new URLSearchParams(
				'select=id,comments(id)&id=gt.1&comments.order=id.desc.nullslast&comments.limit=2&comments.or=(id.eq.1)&order=id&limit=5&offset=3&columns="a","b"&on_conflict=a'
			)
		);
		expect(q.columns).toEqual(['a', 'b']);
		expect(q.onConflict).toEqual(['a']);
		expect(q.nodes.get('')).toMatchObject({
			limit: 5,
			offset: 3,
			order: [{ column: 'id' }],
			conditions: [{ column: 'id', op: 'gt' }]
		});
		expect(q.nodes.get('comments')).toMatchObject({
			limit: 2,
			order: [{ column: 'id', direction: 'desc', nulls: 'last' }],
			conditions: [{ type: 'logic' }]
		});
	});
});

describe('SQL building', () => {
	const relation: Relation = {
		schema: 'public',
		name: 'posts',
		kind: 'table',
		columns: [
			{ name: 'title', type: 'text', nullable: true, default: null, identity: '', generated: '' }
		],
		columnMap: new Map(),
		primaryKey: ['id'],
		uniqueKeys: [['id']]
	};
	const cache: SchemaCache = {
		schemas: ['public'],
		relations: new Map(),
		foreignKeys: [],
		functions: new Map(),
		computedRelationships: []
	};

	it('binds every value and quotes every identifier', () => {
		const hostile = `'; drop table posts; --`;
		const q = parseQuery(
			new URLSearchParams({
				select: '"ti\\"tle"',
				title: `eq.${hostile}`,
				or: `(title.like.*${hostile}*)`
			})
		);
		const ctx = newReadContext(cache, q.nodes);
		const sql = buildReadSql(ctx, {
			ctes: [],
			from: '"public"."posts"',
			alias: '"posts"',
			relation,
			select: q.select,
			topModifiers: true,
			count: true,
			stripNulls: false
		});
		expect(sql).not.toContain('drop table');
		expect(sql).toContain('"ti""tle"');
		expect(ctx.params.values).toEqual([hostile, `%${hostile}%`]);
	});
});
