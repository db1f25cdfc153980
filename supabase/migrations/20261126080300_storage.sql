-- Buckets and storage.objects policies. Same buckets are declared in config.toml for the CLI.
--   originals     private; participants' uploads before processing: `<user_id>/<upload_id>`.
--                 Only the uploader can touch them; nobody else, not even staff (they may still
--                 carry EXIF/GPS data).
--   masters       private; scrubbed masters and derivatives written by the server (service role):
--                 `<maker_id>/<piece_id>/<photo_id>/<file>`. The maker and staff of the piece's
--                 workshop can read them.
--   public-media  public; derivatives of published pieces copied by the service role under
--                 unguessable paths on publish, removed on unpublish/withdraw. No policy at all:
--                 public URLs need none, and without a SELECT policy nobody can list the bucket.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
	('originals', 'originals', false, 26214400,
		array['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/avif']),
	('masters', 'masters', false, 26214400,
		array['image/jpeg', 'image/webp', 'image/avif', 'image/png']),
	('public-media', 'public-media', true, 10485760,
		array['image/jpeg', 'image/webp', 'image/avif'])
on conflict (id) do update set
	public = excluded.public,
	file_size_limit = excluded.file_size_limit,
	allowed_mime_types = excluded.allowed_mime_types;

-- Staff of the workshop may read a master if the path's second folder is a piece of theirs that
-- has been submitted (drafts stay private) and the first folder is that piece's maker.
create function private.can_read_master(p_name text) returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
	v_folders text[] := storage.foldername(p_name);
	v_piece_id uuid;
begin
	if cardinality(v_folders) < 2
		or v_folders[2] !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
		return false;
	end if;
	v_piece_id := v_folders[2]::uuid;
	return exists (
		select 1 from public.pieces p
		where p.id = v_piece_id
			and p.maker_id::text = v_folders[1]
			and p.status <> 'draft'
			and private.is_workshop_staff(p.workshop_id)
	);
end
$$;

revoke all on function private.can_read_master(text) from public, anon, authenticated;
grant execute on function private.can_read_master(text) to authenticated, service_role;

-- One SELECT policy for both private buckets (storage.objects is read on every download and list).
create policy ct_objects_select on storage.objects for select to authenticated
	using (
		(
			bucket_id in ('originals', 'masters')
			and (storage.foldername(name))[1] = (select auth.uid())::text
		)
		or (bucket_id = 'masters' and private.can_read_master(name))
	);

create policy ct_originals_insert on storage.objects for insert to authenticated
	with check (
		bucket_id = 'originals'
		and (storage.foldername(name))[1] = (select auth.uid())::text
		and cardinality(storage.foldername(name)) = 1
	);

-- Needed for upsert (re-upload of the same upload id).
create policy ct_originals_update on storage.objects for update to authenticated
	using (
		bucket_id = 'originals'
		and (storage.foldername(name))[1] = (select auth.uid())::text
	)
	with check (
		bucket_id = 'originals'
		and (storage.foldername(name))[1] = (select auth.uid())::text
		and cardinality(storage.foldername(name)) = 1
	);

create policy ct_originals_delete on storage.objects for delete to authenticated
	using (
		bucket_id = 'originals'
		and (storage.foldername(name))[1] = (select auth.uid())::text
	);
