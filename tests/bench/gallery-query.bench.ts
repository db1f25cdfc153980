/**
 * gallery_query_ms_10k / gallery_query_ms_100k: p50 of one page of the public gallery
 * (`public.gallery_page('de')`: 60 newest published pieces with cover photo and German title, with
 * fallback to the original language) run as `anon` through RLS, exactly as PostgREST would run the
 * RPC (one transaction, role + claims set locally), on a fresh in-memory PGlite stack holding 10k
 * and then 100k published pieces. Baseline: the same call as the table owner, which skips RLS, in
 * the same run, in alternating blocks of ten calls. With TEST_DATABASE_URL set, the same figures
 * are measured on real Postgres too. The note says whether the plan of the function's query
 * (EXPLAIN as anon) uses indexes only.
 */
import type { Database } from '../../supabase/local/src/core/db.ts';
import { startTestStack, type TestDbKind } from '../helpers/stack.ts';
import { p50, type Bench, type BenchResult } from './harness.ts';

const WARMUP = 20;
const SAMPLES = 100;
const BLOCK = 10;
const SIZES = [10_000, 100_000] as const;
const TARGET_MS: Record<number, number> = { 10_000: 20, 100_000: 40 };
const ANON_CLAIMS = JSON.stringify({ role: 'anon' });

/**
 * Adds published pieces `from`..`to` with texts, photos and consents. Triggers and foreign-key
 * checks are switched off for the bulk load (session_replication_role), so rows are written in
 * their final state, including the search vector the trigger would compute.
 */
export const generate = (from: number, to: number) => `
	set local session_replication_role = replica;
	create temporary table if not exists bench_makers on commit drop as
		select id, row_number() over (order by id) - 1 as i from public.profiles;
	insert into public.pieces (id, workshop_id, maker_id, original_language, attribution_kind,
		attribution_text, status, submitted_at, published_at, created_at, updated_at, status_changed_at)
	select
		md5('bench-piece-' || g)::uuid,
		(array['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002',
			'10000000-0000-4000-8000-000000000003']::uuid[])[1 + g % 3],
		(select m.id from bench_makers m where m.i = g % (select count(*) from bench_makers)),
		(array['de', 'en', 'uk', 'ar', 'fa']::public.language_code[])[1 + g % 5],
		'display_name', 'Bench ' || g, 'published',
		now() - make_interval(mins => g + 1), now() - make_interval(mins => g),
		now() - make_interval(mins => g + 2), now(), now()
	from generate_series(${from}, ${to}) as g;

	insert into public.piece_texts (piece_id, language, title, caption, provenance, search_vector)
	select md5('bench-piece-' || g)::uuid, lang, 'Stück ' || g || ' ' || lang,
		'Eine kurze Beschreibung des Stücks Nummer ' || g, 'original',
		to_tsvector('simple', 'stück ' || g)
	from generate_series(${from}, ${to}) as g,
		lateral unnest((case when g % 5 = 0 then array['de']
			else array[(array['de', 'en', 'uk', 'ar', 'fa'])[1 + g % 5], 'de'] end
		)::public.language_code[]) as lang;

	insert into public.piece_photos (id, piece_id, position, role, master_path, variants,
		public_variants, width, height, placeholder, dominant_color, alt_text)
	select md5('bench-photo-' || g || '-' || pos)::uuid, md5('bench-piece-' || g)::uuid, pos,
		(array['front', 'detail']::public.photo_role[])[pos + 1],
		'bench/' || g || '/' || pos || '/master.jpg', '{}',
		jsonb_build_object('avif', jsonb_build_object('480', 'bench/' || g || '/' || pos || '/w480.avif')),
		2000, 1500, 'YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw', '#7a4b2a',
		jsonb_build_object('de', 'Stickerei ' || g)
	from generate_series(${from}, ${to}) as g, generate_series(0, (g % 2)::int) as pos;

	insert into public.consents (piece_id, granted_by, scopes, people_visible, maker_age_bracket,
		consent_text_version, consent_language)
	select p.id, p.maker_id, '{online_gallery}', false, '16_plus', 'bench', 'de'
	from public.pieces p
	where p.id in (select md5('bench-piece-' || g)::uuid from generate_series(${from}, ${to}) as g);
`;

async function asAnon<T>(db: Database, sql: string): Promise<T[]> {
	return db.transaction(
		async (tx) => {
			await tx.query(
				`select set_config('role', 'anon', true), set_config('request.jwt.claims', $1, true)`,
				[ANON_CLAIMS]
			);
			return (await tx.query<T>(sql)).rows;
		},
		{ readOnly: true }
	);
}

async function timed(fn: () => Promise<unknown[]>): Promise<number> {
	const started = performance.now();
	const rows = await fn();
	const elapsed = performance.now() - started;
	if (rows.length !== 60) throw new Error(`gallery returned ${rows.length} rows, expected 60`);
	return elapsed;
}

/** The function's own query with its parameters bound, to EXPLAIN it as anon. */
async function galleryPlan(db: Database): Promise<string> {
	const { rows } = await db.query<{ src: string }>(
		`select prosrc as src from pg_proc where oid = 'public.gallery_page'::regproc`
	);
	const body = /return query([\s\S]*);\s*end\s*$/i.exec(rows[0].src)?.[1];
	if (!body) throw new Error('cannot find the query in gallery_page');
	const sql = body
		.replace(/\bp_language\b/g, `'de'::public.language_code`)
		.replace(/\bp_limit\b/g, '60')
		.replace(/\bp_before_published_at\b/g, 'null::timestamptz')
		.replace(/\bp_before_id\b/g, 'null::uuid')
		.replace(/\bp_workshop_id\b/g, 'null::uuid');
	const plan = await asAnon<{ 'QUERY PLAN': string }>(db, `explain (costs off) ${sql}`);
	return plan.map((r) => r['QUERY PLAN']).join('\n');
}

function usesIndexesOnly(plan: string): { ok: boolean; summary: string } {
	const seqScans = [...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
	const indexes = [
		...new Set(
			[
				...plan.matchAll(/(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)
			].map((m) => m[1])
		)
	];
	const ok = seqScans.length === 0 && indexes.includes('pieces_published_idx');
	return {
		ok,
		summary: ok
			? `index scans only (${indexes.join(', ')})`
			: `NOT index-only: seq scans on ${seqScans.join(', ') || 'none'}; indexes ${indexes.join(', ')}`
	};
}

async function measure(kind: TestDbKind): Promise<BenchResult[]> {
	const stack = await startTestStack({ kind });
	const results: BenchResult[] = [];
	try {
		const db = stack.db;
		let loaded = 0;
		for (const size of SIZES) {
			await db.transaction((tx) => tx.exec(generate(loaded + 1, size)));
			loaded = size;
			await db.exec('analyze');

			const gallery = `select * from public.gallery_page('de')`;
			const anon = () => asAnon(db, gallery);
			const owner = () =>
				db.transaction(async (tx) => (await tx.query(gallery)).rows, { readOnly: true });
			// Blocks of one role at a time: a cached plan that depends on RLS is only reused by the
			// same role, and a public gallery is served to anon request after request.
			for (let i = 0; i < WARMUP; i++) await timed(i % 2 ? owner : anon);
			const viaRls: number[] = [];
			const withoutRls: number[] = [];
			for (let block = 0; block < SAMPLES / BLOCK; block++) {
				for (let i = 0; i < BLOCK; i++) viaRls.push(await timed(anon));
				for (let i = 0; i < BLOCK; i++) withoutRls.push(await timed(owner));
			}
			const plan = await galleryPlan(db);
			console.log(
				`\n  EXPLAIN (${kind}, ${size / 1000}k published pieces, as anon):\n${plan.replace(/^/gm, '    ')}`
			);
			const indexUse = usesIndexesOnly(plan);
			const value = p50(viaRls);
			const baseline = p50(withoutRls);
			const suffix = kind === 'postgres' ? '_postgres' : '';
			results.push({
				name: `gallery_query_ms_${size / 1000}k${suffix}`,
				value,
				unit: 'ms',
				baseline,
				ratio: value / baseline,
				target: kind === 'pglite' ? `≤ ${TARGET_MS[size]} ms` : undefined,
				note: `${kind}, ${size} published pieces, anon via RLS vs owner without RLS; ${indexUse.summary}`
			});
		}
	} finally {
		await stack.close();
	}
	return results;
}

const bench: Bench = async () => {
	const results = await measure('pglite');
	if (process.env.TEST_DATABASE_URL) results.push(...(await measure('postgres')));
	return results;
};

export default bench;
