/**
 * Reads through the REST service with the unmodified supabase-js: columns, embeds, filters,
 * ordering, ranges and counts, singular responses, RLS outcomes and PostgREST's errors.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE_SKIP, startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { ALICE, BOB, REST_PROJECT, rest, restClient, userToken } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST reads (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;
	let alice: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_PROJECT, kind });
		anon = restClient(stack);
		alice = restClient(stack, { token: await userToken(stack, ALICE) });
	});
	afterAll(() => stack?.close());

	it('applies RLS: anon sees published posts, the author also her drafts', async () => {
		const { data: forAnon, error } = await anon.from('posts').select('id').order('id');
		expect(error).toBeNull();
		expect(forAnon).toEqual([{ id: 1 }, { id: 3 }]);
		const { data: forAlice } = await alice.from('posts').select('id').order('id');
		expect(forAlice).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
	});

	it('renders values as Postgres does: timestamptz, numeric, arrays, jsonb, bigint', async () => {
		const { data } = await anon
			.from('posts')
			.select('id, created_at, score, tags, meta')
			.eq('id', 1)
			.single();
		expect(data).toEqual({
			id: 1,
			created_at: '2026-01-01T10:00:00+00:00',
			score: 4.5,
			tags: ['stitch', 'red'],
			meta: { lang: 'en', likes: 3 }
		});
		const raw = await rest(stack, '/posts?select=score&id=eq.1');
		expect(await raw.text()).toBe('[{"score":4.50}]');
	});

	it('supports aliases, casts and JSON paths in select and filters', async () => {
		const { data, error } = await anon
			.from('posts')
			.select('id, heading:title, score::text, lang:meta->>lang, meta->likes')
			.eq('meta->>lang', 'en')
			.order('meta->likes', { ascending: false });
		expect(error).toBeNull();
		expect(data).toEqual([
			{ id: 3, heading: 'Blue flowers', score: '9.25', lang: 'en', likes: 10 },
			{ id: 1, heading: 'Hello world', score: '4.50', lang: 'en', likes: 3 }
		]);
	});

	it('embeds to-one as an object, to-many as an array, many-to-many through the junction', async () => {
		const { data, error } = await anon
			.from('posts')
			.select('id, author:profiles!author_id(username), comments(body), tags(name)')
			.order('id');
		expect(error).toBeNull();
		expect(data).toEqual([
			{
				id: 1,
				author: { username: 'alice' },
				comments: [{ body: 'Lovely colours' }, { body: 'Spam?' }],
				tags: [{ name: 'stitch' }]
			},
			{
				id: 3,
				author: { username: 'bob' },
				comments: [{ body: 'So blue' }],
				tags: [{ name: 'stitch' }, { name: 'wool' }]
			}
		]);
	});

	it('returns null for a missing to-one and [] for an empty to-many', async () => {
		const { data } = await alice
			.from('posts')
			.select('id, editor:profiles!editor_id(username), comments(id)')
			.eq('id', 2)
			.single();
		expect(data).toEqual({ id: 2, editor: null, comments: [] });
	});

	it('filters, orders and limits embedded resources, and !inner drops parents', async () => {
		const { data } = await anon
			.from('posts')
			.select('id, comments(id, body)')
			.eq('comments.approved', false)
			.order('id', { referencedTable: 'comments', ascending: false })
			.limit(1, { referencedTable: 'comments' })
			.order('id');
		expect(data).toEqual([
			{ id: 1, comments: [{ id: 2, body: 'Spam?' }] },
			{ id: 3, comments: [] }
		]);
		const { data: inner } = await anon
			.from('posts')
			.select('id, comments!inner(id)')
			.eq('comments.approved', false);
		expect(inner).toEqual([{ id: 1, comments: [{ id: 2 }] }]);
		const { data: exists } = await anon
			.from('posts')
			.select('id, tags()')
			.eq('tags.name', 'wool')
			.not('tags', 'is', null);
		expect(exists).toEqual([{ id: 3 }]);
	});

	it('nests embeds and spreads to-one columns into the parent', async () => {
		const { data } = await anon
			.from('comments')
			.select('id, post:posts(title, author:profiles!author_id(username))')
			.eq('id', 3)
			.single();
		expect(data).toEqual({ id: 3, post: { title: 'Blue flowers', author: { username: 'bob' } } });
		const { data: spread } = await anon
			.from('posts')
			.select('id, ...profiles!author_id(username)')
			.order('id');
		expect(spread).toEqual([
			{ id: 1, username: 'alice' },
			{ id: 3, username: 'bob' }
		]);
	});

	it('embeds through a security_invoker view, which still applies RLS', async () => {
		const { data } = await alice
			.from('published_posts')
			.select('id, title, profiles(username)')
			.order('id');
		expect(data).toEqual([
			{ id: 1, title: 'Hello world', profiles: { username: 'alice' } },
			{ id: 3, title: 'Blue flowers', profiles: { username: 'bob' } }
		]);
	});

	it('answers PGRST201 with the candidates when a relationship is ambiguous, PGRST200 when none', async () => {
		const ambiguous = await anon.from('posts').select('id, profiles(username)');
		expect(ambiguous.status).toBe(300);
		expect(ambiguous.error?.code).toBe('PGRST201');
		expect(ambiguous.error?.hint).toContain("'profiles!posts_author_id_fkey'");
		expect(ambiguous.error?.details).toHaveLength(2);
		const none = await anon.from('posts').select('id, items(id)');
		expect(none.status).toBe(400);
		expect(none.error?.code).toBe('PGRST200');
	});

	it('supports every comparison operator postgrest-js emits', async () => {
		const ids = async (query: PromiseLike<{ data: { id: number }[] | null }>) =>
			((await query).data ?? []).map((r) => r.id);
		const posts = () => alice.from('posts').select('id').order('id');
		expect(await ids(posts().eq('id', 2))).toEqual([2]);
		expect(await ids(posts().neq('id', 2))).toEqual([1, 3]);
		expect(await ids(posts().gt('id', 1).lte('id', 3))).toEqual([2, 3]);
		expect(await ids(posts().gte('id', 3))).toEqual([3]);
		expect(await ids(posts().lt('id', 2))).toEqual([1]);
		expect(await ids(posts().like('title', '%flowers'))).toEqual([3]);
		expect(await ids(posts().ilike('title', 'hello*'))).toEqual([1]);
		expect(await ids(posts().is('editor_id', null))).toEqual([2]);
		expect(await ids(posts().in('title', ['Blue flowers', 'a,b', 'Hello world']))).toEqual([1, 3]);
		expect(await ids(posts().contains('tags', ['stitch']))).toEqual([1]);
		expect(await ids(posts().containedBy('tags', ['linen', 'wool', 'blue']))).toEqual([2, 3]);
		expect(await ids(posts().overlaps('tags', ['red', 'linen']))).toEqual([1, 2]);
		expect(await ids(posts().contains('meta', { lang: 'en' }))).toEqual([1, 3]);
		expect(await ids(posts().not('status', 'eq', 'published'))).toEqual([2]);
		expect(await ids(posts().notIn('id', [1, 2]))).toEqual([3]);
		expect(await ids(posts().or('id.eq.1,and(status.eq.draft,title.ilike.*linen*)'))).toEqual([
			1, 2
		]);
		expect(await ids(posts().likeAnyOf('title', ['Blue*', 'Draft*']))).toEqual([2, 3]);
		expect(await ids(posts().match({ status: 'published', author_id: BOB }))).toEqual([3]);
	});

	it('supports full-text search on tsvector and text columns', async () => {
		const ids = async (query: PromiseLike<{ data: { id: number }[] | null }>) =>
			((await query).data ?? []).map((r) => r.id);
		const posts = () => anon.from('posts').select('id').order('id');
		expect(await ids(posts().textSearch('search', 'flowers', { config: 'english' }))).toEqual([3]);
		expect(await ids(posts().textSearch('search', 'blue & wool'))).toEqual([3]);
		expect(
			await ids(posts().textSearch('body', 'cross stitch', { type: 'plain', config: 'english' }))
		).toEqual([1]);
		expect(
			await ids(posts().textSearch('body', 'blue wool', { type: 'phrase', config: 'english' }))
		).toEqual([3]);
		expect(await ids(posts().textSearch('title', 'hello -flowers', { type: 'websearch' }))).toEqual(
			[1]
		);
	});

	it('keeps SQL-looking filter values as values', async () => {
		const hostile = "'; drop table posts; --";
		const { data, error } = await anon.from('posts').select('id').eq('title', hostile);
		expect(error).toBeNull();
		expect(data).toEqual([]);
		const { data: again } = await anon.from('posts').select('id').or(`title.eq.${hostile},id.eq.1`);
		expect(again).toEqual([{ id: 1 }]);
		const { count } = await anon.from('posts').select('*', { count: 'exact', head: true });
		expect(count).toBe(2);
	});

	it('orders with nulls first or last', async () => {
		const { data } = await alice
			.from('posts')
			.select('id')
			.order('editor_id', { ascending: true, nullsFirst: true });
		expect(data?.[0]).toEqual({ id: 2 });
		const { data: last } = await alice
			.from('posts')
			.select('id')
			.order('editor_id', { ascending: true, nullsFirst: false });
		expect(last?.at(-1)).toEqual({ id: 2 });
	});

	it('pages with range, counts exactly and sets Content-Range and 206', async () => {
		const result = await alice
			.from('posts')
			.select('id', { count: 'exact' })
			.order('id')
			.range(1, 1);
		expect(result.status).toBe(206);
		expect(result.count).toBe(3);
		expect(result.data).toEqual([{ id: 2 }]);
		const response = await rest(stack, '/posts?select=id&order=id', {
			headers: { Prefer: 'count=exact' }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-range')).toBe('0-1/2');
		// A planned count is the planner's estimate (rest-counts.test.ts compares it with EXPLAIN).
		const planned = await anon.from('posts').select('id', { count: 'planned', head: true });
		expect(Number.isInteger(planned.count)).toBe(true);
		expect(planned.data).toBeNull();
		const beyond = await rest(stack, '/posts?offset=5', { headers: { Prefer: 'count=exact' } });
		expect(beyond.status).toBe(416);
		expect((await beyond.json()).code).toBe('PGRST103');
		const byHeader = await rest(stack, '/posts?select=id&order=id', { headers: { Range: '1-1' } });
		expect(byHeader.headers.get('content-range')).toBe('1-1/*');
		expect(await byHeader.json()).toEqual([{ id: 3 }]);
	});

	it('answers HEAD with headers only', async () => {
		const response = await rest(stack, '/posts', {
			method: 'HEAD',
			headers: { Prefer: 'count=exact' }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-range')).toBe('0-1/2');
		expect(await response.text()).toBe('');
	});

	it('answers one URL repeated anew for each caller, Accept, Range, Prefer, profile and method', async () => {
		// The stack reuses what it derived from an identical earlier request; nothing but the request
		// line and these headers may decide the answer, and the caller's RLS never comes from the reuse.
		const url = '/posts?select=id&order=id';
		const ids = async (init: Parameters<typeof rest>[2] = {}) => {
			const response = await rest(stack, url, init);
			return {
				status: response.status,
				range: response.headers.get('content-range'),
				body: JSON.parse((await response.text()) || 'null') as unknown
			};
		};
		const aliceToken = await userToken(stack, ALICE);
		for (let round = 0; round < 2; round++) {
			expect(await ids()).toEqual({ status: 200, range: '0-1/*', body: [{ id: 1 }, { id: 3 }] });
			expect(await ids({ headers: { Authorization: `Bearer ${aliceToken}` } })).toEqual({
				status: 200,
				range: '0-2/*',
				body: [{ id: 1 }, { id: 2 }, { id: 3 }]
			});
			expect(await ids({ headers: { Range: '1-1' } })).toEqual({
				status: 200,
				range: '1-1/*',
				body: [{ id: 3 }]
			});
			expect(await ids({ headers: { Prefer: 'count=exact', Range: '0-0' } })).toEqual({
				status: 206,
				range: '0-0/2',
				body: [{ id: 1 }]
			});
			const single = await ids({ headers: { Accept: 'application/vnd.pgrst.object+json' } });
			expect(single.status).toBe(406);
			expect(single.body).toMatchObject({ code: 'PGRST116' });
			expect(await ids({ method: 'HEAD' })).toEqual({ status: 200, range: '0-1/*', body: null });
			const profile = await ids({ headers: { 'Accept-Profile': 'extra' } });
			expect(profile.status).toBe(404);
			expect(profile.body).toMatchObject({ code: 'PGRST205' });
		}
	});

	it('gives single() and maybeSingle() their PostgREST semantics', async () => {
		const none = await anon.from('posts').select('id').eq('id', 2).single();
		expect(none.status).toBe(406);
		expect(none.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 0 rows' });
		const many = await anon.from('posts').select('id').single();
		expect(many.error?.details).toBe('The result contains 2 rows');
		const maybe = await anon.from('posts').select('id').eq('id', 2).maybeSingle();
		expect(maybe.error).toBeNull();
		expect(maybe.data).toBeNull();
	});

	it('strips nulls when asked', async () => {
		const { data } = await alice.from('posts').select('id, editor_id').eq('id', 2).stripNulls();
		expect(data).toEqual([{ id: 2 }]);
	});

	it('serves other exposed schemas by profile and refuses unexposed ones', async () => {
		const extra = restClient(stack, { schema: 'extra' });
		expect((await extra.from('widgets').select('label')).data).toEqual([{ label: 'gear' }]);
		const response = await rest(stack, '/widgets', { headers: { 'Accept-Profile': 'private' } });
		expect(response.status).toBe(406);
		expect(await response.json()).toMatchObject({
			code: 'PGRST106',
			message: 'Invalid schema: private'
		});
	});

	it('answers unknown tables, columns and operators with PostgREST errors', async () => {
		const table = await anon.from('nope').select();
		expect(table.status).toBe(404);
		expect(table.error).toMatchObject({
			code: 'PGRST205',
			message: "Could not find the table 'public.nope' in the schema cache"
		});
		const column = await anon.from('posts').select('nope');
		expect(column.status).toBe(400);
		expect(column.error).toMatchObject({
			code: '42703',
			message: 'column posts.nope does not exist'
		});
		const operator = await anon.from('posts').select('id').filter('id', 'near', '1');
		expect(operator.status).toBe(400);
		expect(operator.error?.code).toBe('PGRST100');
		const notEmbedded = await anon.from('posts').select('id').eq('comments.id', 1);
		expect(notEmbedded.error?.code).toBe('PGRST108');
		const bad = await anon.from('posts').select('id').eq('id', 'abc');
		expect(bad.error?.code).toBe('22P02');
	});

	it('refuses tables the role has no grant on: 401 for anon, 403 for a user', async () => {
		const forAnon = await anon.from('secrets').select();
		expect(forAnon.status).toBe(401);
		expect(forAnon.error).toMatchObject({
			code: '42501',
			message: 'permission denied for table secrets'
		});
		const forUser = await alice.from('secrets').select();
		expect(forUser.status).toBe(403);
		const service = restClient(stack, { key: stack.keys.secret });
		expect((await service.from('secrets').select('value')).data).toEqual([{ value: 'hidden' }]);
	});

	it('renders CSV as PostgREST does and answers 406 PGRST107 for other media types', async () => {
		const { data, error } = await anon
			.from('posts')
			.select('id, title, tags, score')
			.order('id')
			.csv();
		expect(error).toBeNull();
		expect(data).toBe(
			'id,title,tags,score\n1,"Hello world","{stitch,red}",4.50\n3,"Blue flowers","{wool,blue}",9.25'
		);
		const { status, error: geoError } = await anon.from('posts').select('id').geojson();
		expect(status).toBe(406);
		expect(geoError?.code).toBe('PGRST107');
	});

	it('refuses unsupported features loudly instead of answering differently', async () => {
		const related = await anon
			.from('posts')
			.select('id, profiles!author_id(username)')
			.order('profiles(username)');
		expect(related.status).toBe(400);
		expect(related.error?.details).toContain('ordering by a related resource');
		const aggregate = await anon.from('posts').select('count()');
		expect(aggregate.error?.code).toBe('PGRST123');
	});

	it('finds a table created after start-up without a restart', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.asyncReload);
		await stack.db.exec(
			'create table public.late (id int primary key); grant select on public.late to anon; insert into public.late values (7);'
		);
		const { data, error } = await anon.from('late').select('id');
		expect(error).toBeNull();
		expect(data).toEqual([{ id: 7 }]);
	});
});
