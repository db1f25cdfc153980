-- Read paths shared by the app and the benchmark. SECURITY INVOKER: they run with the caller's
-- rights, so Row Level Security decides what they return.

-- One page of the public gallery: newest published pieces first, each with its cover photo (the
-- first by position) and its title and caption in `p_language`, falling back to the piece's
-- original language. Keyset pagination: pass the last row's published_at and piece_id.
-- PL/pgSQL rather than SQL so that each connection plans the query once and reuses the plan
-- (a SQL function with SET search_path is re-planned on every call).
create function public.gallery_page(
	p_language public.language_code,
	p_limit integer default 60,
	p_before_published_at timestamptz default null,
	p_before_id uuid default null,
	p_workshop_id uuid default null
) returns table (
	piece_id uuid,
	workshop_id uuid,
	published_at timestamptz,
	original_language public.language_tag,
	attribution_kind public.attribution_kind,
	attribution_text text,
	text_language public.language_tag,
	title text,
	caption text,
	photo_id uuid,
	photo_width integer,
	photo_height integer,
	placeholder text,
	dominant_color text,
	alt_text text,
	image_variants jsonb
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
begin
	return query
		select
			p.id,
			p.workshop_id,
			p.published_at,
			p.original_language,
			p.attribution_kind,
			p.attribution_text,
			t.language,
			t.title,
			t.caption,
			ph.id,
			ph.width,
			ph.height,
			ph.placeholder,
			ph.dominant_color,
			coalesce(ph.alt_text ->> p_language::text, ph.alt_text ->> p.original_language::text),
			ph.public_variants
		from public.pieces p
		left join lateral (
			select tx.language, tx.title, tx.caption
			from public.piece_texts tx
			where tx.piece_id = p.id
			order by tx.language = p_language::text desc, tx.language = p.original_language desc
			limit 1
		) t on true
		left join lateral (
			select f.id, f.width, f.height, f.placeholder, f.dominant_color, f.alt_text,
				f.public_variants
			from public.piece_photos f
			where f.piece_id = p.id
			order by f.position
			limit 1
		) ph on true
		where p.status = 'published'
			and (p_workshop_id is null or p.workshop_id = p_workshop_id)
			and (
				p_before_published_at is null
				or (p_before_id is null and p.published_at < p_before_published_at)
				or (p.published_at, p.id) < (p_before_published_at, p_before_id)
			)
		order by p.published_at desc, p.id desc
		limit least(greatest(coalesce(p_limit, 60), 1), 100);
end
$$;

-- Full-text search over titles, captions and stories in every language; one row per matching
-- piece with the best-matching text.
create function public.search_pieces(
	p_query text,
	p_limit integer default 30
) returns table (
	piece_id uuid,
	language public.language_tag,
	title text,
	caption text,
	rank real
)
language sql
stable
security invoker
set search_path = ''
as $$
	select best.*
	from (
		select distinct on (t.piece_id) t.piece_id, t.language, t.title, t.caption,
			ts_rank(t.search_vector, q.query) as rank
		from public.piece_texts t,
			(select websearch_to_tsquery('pg_catalog.simple', private.fold_text(p_query)) as query) q
		where t.search_vector @@ q.query
		order by t.piece_id, rank desc
	) best
	order by best.rank desc, best.piece_id
	limit least(greatest(coalesce(p_limit, 30), 1), 100)
$$;

revoke all on function public.gallery_page(public.language_code, integer, timestamptz, uuid, uuid),
	public.search_pieces(text, integer) from public;
grant execute on function
	public.gallery_page(public.language_code, integer, timestamptz, uuid, uuid),
	public.search_pieces(text, integer)
	to anon, authenticated, service_role;
