-- Retention sweeper support (src/lib/server/sweeper.ts). Both functions are for the service role
-- only and run with the caller's rights (the service role bypasses RLS and may read
-- storage.objects). They never delete storage rows: objects are removed by the app through the
-- Storage API, so bytes and rows go together (security checklist item 19).

-- Objects nothing needs any more, oldest first, created before now() - p_older_than:
--   originals     every object: processing deletes the original, so one still there after the
--                 retention period is an abandoned or failed upload (it may carry GPS data).
--   masters       objects no piece_photos row names (master_path or variants): left by a server
--                 killed between writing files and inserting the row, or by a failed clean-up.
--   public-media  objects no piece_photos.public_variants names: left by an interrupted publish
--                 or unpublish.
create function public.sweeper_orphan_objects(p_older_than interval, p_limit integer default 1000)
returns table (bucket_id text, name text, created_at timestamptz)
language sql
stable
set search_path = ''
as $$
	with referenced as (
		select 'masters'::text as bucket_id, ph.master_path as name from public.piece_photos ph
		union all
		select 'masters', v.value
		from public.piece_photos ph,
			pg_catalog.jsonb_each(ph.variants) f,
			pg_catalog.jsonb_each_text(f.value) v
		where pg_catalog.jsonb_typeof(f.value) = 'object'
		union all
		select 'public-media', v.value
		from public.piece_photos ph,
			pg_catalog.jsonb_each(coalesce(ph.public_variants, '{}'::jsonb)) f,
			pg_catalog.jsonb_each_text(f.value) v
		where pg_catalog.jsonb_typeof(f.value) = 'object'
	)
	select o.bucket_id, o.name, o.created_at
	from storage.objects o
	where o.created_at < pg_catalog.now() - p_older_than
		and (
			o.bucket_id = 'originals'
			or (
				o.bucket_id in ('masters', 'public-media')
				and not exists (
					select 1 from referenced r where r.bucket_id = o.bucket_id and r.name = o.name
				)
			)
		)
	order by o.created_at, o.bucket_id, o.name
	limit greatest(p_limit, 0)
$$;

-- Deletes drafts nobody touched since now() - p_older_than (the piece, its texts, photos and
-- consents: the last change to any of them counts) and returns each deleted piece with the paths
-- of its photos' files in `masters` (one row per path; a draft without photos gives one row with
-- a null path). The caller removes those objects through the Storage API; should it fail, they
-- become unreferenced and sweeper_orphan_objects lists them on the next run.
create function public.sweeper_delete_stale_drafts(
	p_older_than interval,
	p_limit integer default 100
) returns table (piece_id uuid, maker_id uuid, path text)
language plpgsql
set search_path = ''
as $$
declare
	v_cutoff timestamptz := pg_catalog.now() - p_older_than;
	v_ids uuid[];
begin
	select coalesce(pg_catalog.array_agg(s.id), '{}') into v_ids
	from (
		select p.id
		from public.pieces p
		where p.status = 'draft'
			and greatest(
				p.updated_at,
				p.created_at,
				(select max(t.updated_at) from public.piece_texts t where t.piece_id = p.id),
				(select max(ph.updated_at) from public.piece_photos ph where ph.piece_id = p.id),
				(select max(c.granted_at) from public.consents c where c.piece_id = p.id)
			) < v_cutoff
		order by p.updated_at
		limit greatest(p_limit, 0)
		for update of p skip locked
	) s;

	return query
	with files as (
		select ph.piece_id, ph.master_path as path from public.piece_photos ph
		where ph.piece_id = any (v_ids)
		union all
		select ph.piece_id, v.value
		from public.piece_photos ph,
			pg_catalog.jsonb_each(ph.variants) f,
			pg_catalog.jsonb_each_text(f.value) v
		where ph.piece_id = any (v_ids) and pg_catalog.jsonb_typeof(f.value) = 'object'
	),
	gone as (
		delete from public.pieces p
		where p.id = any (v_ids) and p.status = 'draft'
		returning p.id, p.maker_id
	)
	select g.id, g.maker_id, f.path
	from gone g
	left join files f on f.piece_id = g.id;
end
$$;

revoke all on function public.sweeper_orphan_objects(interval, integer),
	public.sweeper_delete_stale_drafts(interval, integer)
	from public, anon, authenticated;
grant execute on function public.sweeper_orphan_objects(interval, integer),
	public.sweeper_delete_stale_drafts(interval, integer)
	to service_role;
