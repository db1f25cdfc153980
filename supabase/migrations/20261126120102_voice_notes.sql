-- Spoken stories: one voice note per piece (up to three minutes, recorded in the browser), in any
-- language. The audio lives in the private `voice-notes` bucket at `<maker_id>/<piece_id>/<id>.<ext>`
-- and is written only by the server after it parsed the container and checked type and duration
-- (no insert policy: only the server vouches for a file there). It becomes public like the photos:
-- publishing copies it to `public-media` under a fresh unguessable path (`public_path`), leaving
-- the gallery clears that path in the same transaction and the app deletes the copy.

create table public.piece_voice_notes (
	piece_id uuid primary key references public.pieces (id) on delete cascade,
	-- Bucket `voice-notes`: `<maker_id>/<piece_id>/<uuid>.<webm|ogg|m4a>`.
	path text not null check (char_length(path) between 1 and 300),
	mime_type text not null check (mime_type in ('audio/webm', 'audio/ogg', 'audio/mp4')),
	language public.language_tag not null,
	duration_ms integer not null check (duration_ms between 1 and 180000),
	bytes integer not null check (bytes > 0),
	-- In `public-media`, only while the piece is published; written by the service role.
	public_path text check (char_length(public_path) between 1 and 300),
	created_at timestamptz not null default now()
);

alter table public.piece_voice_notes enable row level security;

-- Read like the photos: anyone once published, the maker always, staff of the workshop once
-- submitted. Written only by the service role (the server, after validating the audio).
grant select on public.piece_voice_notes to anon, authenticated;
grant select, insert, update, delete on public.piece_voice_notes to service_role;

create policy piece_voice_notes_select_public on public.piece_voice_notes for select to anon
	using (exists (
		select 1 from public.pieces p where p.id = piece_id and p.status = 'published'
	));
create policy piece_voice_notes_select on public.piece_voice_notes for select to authenticated
	using (private.can_read_piece(piece_id));

-- Leaving the gallery clears the public path with the photos' public variants.
create function private.after_piece_status_change_voice() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
	if old.status = 'published' and new.status <> 'published' then
		update public.piece_voice_notes set public_path = null where piece_id = new.id;
	end if;
	return null;
end
$$;

revoke all on function private.after_piece_status_change_voice() from public, anon, authenticated;

create trigger pieces_after_status_voice after update of status on public.pieces
	for each row execute function private.after_piece_status_change_voice();

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('voice-notes', 'voice-notes', false, 5242880, array['audio/webm', 'audio/ogg', 'audio/mp4'])
on conflict (id) do update set
	public = excluded.public,
	file_size_limit = excluded.file_size_limit,
	allowed_mime_types = excluded.allowed_mime_types;

-- Public copies of published voice notes go to public-media next to the images.
update storage.buckets
set allowed_mime_types = array(
	select distinct t from unnest(
		coalesce(allowed_mime_types, '{}') || array['audio/webm', 'audio/ogg', 'audio/mp4']
	) as t order by t
)
where id = 'public-media';

-- The maker listens to their own recording; staff of the workshop once the piece is submitted.
create function private.can_read_voice_note(p_name text) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.piece_voice_notes v
		join public.pieces p on p.id = v.piece_id
		where v.path = p_name
			and (
				p.maker_id = (select auth.uid())
				or (p.status <> 'draft' and private.is_workshop_staff(p.workshop_id))
			)
	)
$$;

revoke all on function private.can_read_voice_note(text) from public, anon, authenticated;
grant execute on function private.can_read_voice_note(text) to authenticated, service_role;

-- Still one SELECT policy on storage.objects (it is read on every download and list): the
-- storage migration's, with the voice notes added.
drop policy ct_objects_select on storage.objects;
create policy ct_objects_select on storage.objects for select to authenticated
	using (
		(
			bucket_id in ('originals', 'masters')
			and (storage.foldername(name))[1] = (select auth.uid())::text
		)
		or (bucket_id = 'masters' and private.can_read_master(name))
		or (bucket_id = 'voice-notes' and private.can_read_voice_note(name))
	);
