-- Per-participant storage quota in bytes (issue 8, checklist C31).
--
-- Every file of a participant lives under their user id as the first folder: originals
-- (`<user_id>/<upload_id>`, written by the browser) and masters with derivatives
-- (`<user_id>/<piece_id>/<photo_id>/...`, written by the server). A trigger on storage.objects adds
-- up those bytes and refuses a write that would take the owner past the quota, whoever writes it
-- (browser, TUS, signed upload URL or the service role), so no client can go around it.
-- public-media holds copies of published derivatives under unguessable paths; moderators decide
-- what is published, so those copies do not count against the maker.
--
-- The quota is 1 GiB per participant, about 150 photos with all their derivatives at the pipeline's
-- sizes; operators change it for everybody with
--   alter database postgres set app.storage_quota_bytes = '<bytes>';
-- (read per statement, so it applies to new connections at once).

create function private.storage_quota_bytes() returns bigint
language sql
stable
set search_path = ''
as $$
	select coalesce(
		nullif(pg_catalog.current_setting('app.storage_quota_bytes', true), '')::bigint,
		1073741824
	)
$$;

-- Size of an object row: Storage writes `size` once the bytes are stored; the permission test it
-- runs before accepting the body only carries `contentLength`.
create function private.object_size(p_metadata jsonb) returns bigint
language sql
immutable
set search_path = ''
as $$
	select coalesce(
		(p_metadata ->> 'size')::bigint,
		(p_metadata ->> 'contentLength')::bigint,
		0
	)
$$;

-- Security definer: the sum must see all of the owner's objects, including masters the service
-- role wrote, whatever the writer's own policies let it read.
create function private.enforce_storage_quota() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_owner text := (storage.foldername(new.name))[1];
	v_used bigint;
	v_size bigint := private.object_size(new.metadata);
	v_quota bigint := private.storage_quota_bytes();
begin
	if new.bucket_id not in ('originals', 'masters') or v_owner is null
		or v_owner !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
		return new;
	end if;
	-- Serialise one owner's writes, so two parallel uploads cannot both fit into the last bytes.
	perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('storage_quota:' || v_owner));
	select coalesce(sum(private.object_size(o.metadata)), 0) into v_used
	from storage.objects o
	where o.bucket_id in ('originals', 'masters')
		and o.name like v_owner || '/%'
		and not (o.bucket_id = new.bucket_id and o.name = new.name);
	if v_used + v_size > v_quota then
		raise exception 'storage_quota_exceeded'
			using errcode = 'P0001',
				detail = pg_catalog.format('%s of %s bytes used, %s more asked', v_used, v_quota, v_size);
	end if;
	return new;
end
$$;

revoke all on function private.storage_quota_bytes(), private.object_size(jsonb),
	private.enforce_storage_quota()
	from public, anon, authenticated;

create trigger ct_enforce_storage_quota
	before insert or update of name, bucket_id, metadata on storage.objects
	for each row execute function private.enforce_storage_quota();

-- What the caller has used, for the app to show or check before a large upload. Runs as the
-- caller: the storage.objects SELECT policy already shows participants their own folders.
create function public.my_storage_use() returns table (used_bytes bigint, quota_bytes bigint)
language sql
stable
set search_path = ''
as $$
	select coalesce(sum(private.object_size(o.metadata)), 0)::bigint,
		private.storage_quota_bytes()
	from storage.objects o
	where (select auth.uid()) is not null
		and o.bucket_id in ('originals', 'masters')
		and o.name like (select auth.uid())::text || '/%'
$$;

revoke all on function public.my_storage_use() from public, anon, authenticated;
grant execute on function private.storage_quota_bytes(), private.object_size(jsonb),
	public.my_storage_use()
	to authenticated, service_role;
