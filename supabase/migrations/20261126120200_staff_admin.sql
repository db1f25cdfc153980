-- Staff administration, text corrections by staff, and the new-submission digest. Same error
-- conventions as the workflow migration (P0001 / 42501 with a stable snake_case message): new
-- codes not_admin, user_not_found, not_staff_account, own_admin_role, not_editable (reused),
-- text_not_found, photo_not_found, no_changes, not_staff.

-- ---------------------------------------------------------------------------------------------
-- Staff audit log: every change to staff_roles and workshop_facilitators, whoever makes it
-- (the checked function below, an admin writing the tables directly, seed data, cascades).

create table public.staff_events (
	id bigint generated always as identity primary key,
	-- No foreign keys: the history outlives accounts and workshops.
	actor_id uuid,
	subject_id uuid not null,
	action text not null check (
		action in ('invite', 'grant_role', 'revoke_role', 'assign_workshop', 'unassign_workshop')
	),
	role public.staff_role,
	workshop_id uuid,
	created_at timestamptz not null default now(),
	check ((action in ('grant_role', 'revoke_role')) = (role is not null)),
	check ((action in ('assign_workshop', 'unassign_workshop')) = (workshop_id is not null))
);
create index staff_events_subject_idx on public.staff_events (subject_id, created_at);
create index staff_events_created_idx on public.staff_events (created_at desc);

alter table public.staff_events enable row level security;
revoke all on public.staff_events from anon, authenticated, service_role;
grant select on public.staff_events to authenticated, service_role;
grant insert on public.staff_events to service_role;

create policy staff_events_select on public.staff_events for select to authenticated
	using ((select private.is_admin()) or subject_id = (select auth.uid()));

create function private.protect_staff_events() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	raise exception 'staff_events_append_only' using errcode = '42501';
end
$$;

create trigger staff_events_append_only before update or delete on public.staff_events
	for each row execute function private.protect_staff_events();
create trigger staff_events_no_truncate before truncate on public.staff_events
	for each statement execute function private.protect_staff_events();

-- SECURITY DEFINER: the writer (an admin through the API) has no INSERT on the log.
create function private.audit_staff_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_row record;
begin
	if tg_op = 'DELETE' then
		v_row := old;
	else
		v_row := new;
	end if;
	if tg_table_name = 'staff_roles' then
		insert into public.staff_events (actor_id, subject_id, action, role)
		values ((select auth.uid()), v_row.user_id,
			case when tg_op = 'DELETE' then 'revoke_role' else 'grant_role' end, v_row.role);
	else
		insert into public.staff_events (actor_id, subject_id, action, workshop_id)
		values ((select auth.uid()), v_row.user_id,
			case when tg_op = 'DELETE' then 'unassign_workshop' else 'assign_workshop' end,
			v_row.workshop_id);
	end if;
	return null;
end
$$;

create trigger staff_roles_audit after insert or delete on public.staff_roles
	for each row execute function private.audit_staff_change();
create trigger workshop_facilitators_audit after insert or delete on public.workshop_facilitators
	for each row execute function private.audit_staff_change();

create function private.is_anonymous_user(p_user_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select coalesce((select u.is_anonymous from auth.users u where u.id = p_user_id), false)
$$;

-- Through the API, an admin cannot take away their own admin role (nobody could give it back),
-- and staff rights never go to anonymous sign-ins. Runs as the writer (not SECURITY DEFINER) so
-- that `current_user` tells API roles from the service role, seeds and cascades.
create function private.guard_staff_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	if tg_op = 'DELETE' then
		if current_user not in ('anon', 'authenticated') then
			return old;
		end if;
		-- Nested: `old.role` exists only on staff_roles rows.
		if tg_table_name = 'staff_roles' then
			if old.role = 'admin' and old.user_id = (select auth.uid()) then
				raise exception 'own_admin_role' using errcode = 'P0001';
			end if;
		end if;
		return old;
	end if;
	if current_user in ('anon', 'authenticated')
		and private.is_anonymous_user(new.user_id) then
		raise exception 'not_staff_account' using errcode = 'P0001';
	end if;
	return new;
end
$$;

create trigger staff_roles_guard before insert or delete on public.staff_roles
	for each row execute function private.guard_staff_change();
create trigger workshop_facilitators_guard before insert or delete on public.workshop_facilitators
	for each row execute function private.guard_staff_change();

-- ---------------------------------------------------------------------------------------------
-- Checked staff administration (admins only; the role is re-read on every call)

-- Everyone with a staff role or a workshop, with the address they sign in with.
create function public.staff_members()
returns table (
	user_id uuid,
	email text,
	display_name text,
	roles public.staff_role[],
	workshop_ids uuid[],
	invited_at timestamptz,
	last_sign_in_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
	if (select auth.uid()) is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	if not private.is_admin() then
		raise exception 'not_admin' using errcode = '42501';
	end if;
	return query
	select p.id, u.email::text, p.display_name,
		coalesce((select array_agg(s.role order by s.role) from public.staff_roles s
			where s.user_id = p.id), '{}'),
		coalesce((select array_agg(f.workshop_id order by f.workshop_id)
			from public.workshop_facilitators f where f.user_id = p.id), '{}'),
		u.invited_at, u.last_sign_in_at
	from public.profiles p
	join auth.users u on u.id = p.id
	where exists (select 1 from public.staff_roles s where s.user_id = p.id)
		or exists (select 1 from public.workshop_facilitators f where f.user_id = p.id)
	order by u.email;
end
$$;

-- Sets a person's staff access to exactly these roles and workshops (an empty pair revokes
-- everything). The triggers above write one audit event per change; `p_invite` adds an `invite`
-- event first. Returns the number of changes.
create function public.set_staff_access(
	p_user_id uuid,
	p_roles public.staff_role[],
	p_workshop_ids uuid[],
	p_invite boolean default false
) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_roles public.staff_role[] := coalesce(p_roles, '{}');
	v_workshops uuid[] := coalesce(p_workshop_ids, '{}');
	v_changes integer := 0;
	v_count integer;
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	if not private.is_admin() then
		raise exception 'not_admin' using errcode = '42501';
	end if;
	if not exists (select 1 from public.profiles where id = p_user_id) then
		raise exception 'user_not_found' using errcode = 'P0001';
	end if;
	if exists (select 1 from auth.users u where u.id = p_user_id and u.is_anonymous)
		and (cardinality(v_roles) > 0 or cardinality(v_workshops) > 0) then
		raise exception 'not_staff_account' using errcode = 'P0001';
	end if;
	if p_user_id = v_uid and not ('admin' = any (v_roles)) then
		raise exception 'own_admin_role' using errcode = 'P0001';
	end if;
	if exists (
		select 1 from unnest(v_workshops) w(id)
		where not exists (select 1 from public.workshops x where x.id = w.id)
	) then
		raise exception 'workshop_not_found' using errcode = 'P0001';
	end if;

	if p_invite then
		insert into public.staff_events (actor_id, subject_id, action)
		values (v_uid, p_user_id, 'invite');
	end if;

	delete from public.staff_roles where user_id = p_user_id and not (role = any (v_roles));
	get diagnostics v_count = row_count;
	v_changes := v_changes + v_count;
	insert into public.staff_roles (user_id, role, granted_by)
	select p_user_id, r, v_uid from unnest(v_roles) r
	on conflict do nothing;
	get diagnostics v_count = row_count;
	v_changes := v_changes + v_count;

	delete from public.workshop_facilitators
	where user_id = p_user_id and not (workshop_id = any (v_workshops));
	get diagnostics v_count = row_count;
	v_changes := v_changes + v_count;
	insert into public.workshop_facilitators (workshop_id, user_id, added_by)
	select distinct w, p_user_id, v_uid from unnest(v_workshops) w
	on conflict do nothing;
	get diagnostics v_count = row_count;
	return v_changes + v_count;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Typo fixes by staff, attributed: `edit_text` events carry what changed, old and new.

alter type public.moderation_action add value if not exists 'edit_text';
alter table public.moderation_events add column changes jsonb
	check (changes is null or pg_catalog.jsonb_typeof(changes) = 'object');

-- Corrects the title, caption and story of one language of a piece, and the alt texts of its
-- photos in that language (`p_alt_texts`: {"<photo id>": "text"}). Staff of the workshop only,
-- never on their own piece, only while it is under review or on show. The event's `changes`:
-- {"language": "uk", "title": {"from": …, "to": …}, "story": {"from": <plain text>, …},
--  "alt": {"<photo id>": {"from": …, "to": …}}} with only the fields that changed.
create function public.correct_piece_text(
	p_piece_id uuid,
	p_language public.language_tag,
	p_title text,
	p_caption text,
	p_story jsonb,
	p_alt_texts jsonb default '{}'
) returns public.moderation_events
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_piece public.pieces;
	v_text public.piece_texts;
	v_changes jsonb := '{}';
	v_alt jsonb := '{}';
	v_photo record;
	v_new_alt text;
	v_event public.moderation_events;
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	select * into v_piece from public.pieces where id = p_piece_id for update;
	if not found then
		raise exception 'piece_not_found' using errcode = 'P0001';
	end if;
	if not private.is_workshop_staff(v_piece.workshop_id) then
		raise exception 'not_workshop_staff' using errcode = '42501';
	end if;
	if v_piece.maker_id = v_uid then
		raise exception 'own_piece' using errcode = '42501';
	end if;
	if v_piece.status not in ('submitted', 'changes_requested', 'published') then
		raise exception 'not_editable' using errcode = 'P0001', detail = v_piece.status::text;
	end if;
	select * into v_text from public.piece_texts
	where piece_id = p_piece_id and language = p_language;
	if not found then
		raise exception 'text_not_found' using errcode = 'P0001';
	end if;
	if nullif(btrim(p_title), '') is null then
		raise exception 'missing_title' using errcode = 'P0001';
	end if;
	if pg_catalog.jsonb_typeof(coalesce(p_alt_texts, '{}')) <> 'object' then
		raise exception 'invalid_input' using errcode = 'P0001';
	end if;

	if p_title is distinct from v_text.title then
		v_changes := v_changes || jsonb_build_object('title',
			jsonb_build_object('from', v_text.title, 'to', p_title));
	end if;
	if nullif(p_caption, '') is distinct from v_text.caption then
		v_changes := v_changes || jsonb_build_object('caption',
			jsonb_build_object('from', v_text.caption, 'to', nullif(p_caption, '')));
	end if;
	if p_story is distinct from v_text.story then
		v_changes := v_changes || jsonb_build_object('story', jsonb_build_object(
			'from', private.tiptap_plain_text(v_text.story),
			'to', private.tiptap_plain_text(p_story)));
	end if;
	for v_photo in
		select key as id, value #>> '{}' as alt from jsonb_each(coalesce(p_alt_texts, '{}'))
	loop
		v_new_alt := nullif(btrim(v_photo.alt), '');
		if not exists (
			select 1 from public.piece_photos
			where piece_id = p_piece_id and id::text = v_photo.id
		) then
			raise exception 'photo_not_found' using errcode = 'P0001';
		end if;
		if v_new_alt is distinct from (
			select alt_text ->> p_language::text from public.piece_photos where id::text = v_photo.id
		) then
			v_alt := v_alt || jsonb_build_object(v_photo.id, jsonb_build_object(
				'from', (select alt_text ->> p_language::text from public.piece_photos
					where id::text = v_photo.id),
				'to', v_new_alt));
			update public.piece_photos
			set alt_text = case when v_new_alt is null then alt_text - p_language::text
				else alt_text || jsonb_build_object(p_language::text, v_new_alt) end
			where id::text = v_photo.id;
		end if;
	end loop;
	if v_alt <> '{}' then
		v_changes := v_changes || jsonb_build_object('alt', v_alt);
	end if;
	if v_changes = '{}' then
		raise exception 'no_changes' using errcode = 'P0001';
	end if;

	update public.piece_texts
	set title = p_title, caption = nullif(p_caption, ''), story = p_story
	where piece_id = p_piece_id and language = p_language;

	insert into public.moderation_events (piece_id, actor_id, action, from_status, to_status,
		changes)
	values (p_piece_id, v_uid, 'edit_text', v_piece.status, v_piece.status,
		v_changes || jsonb_build_object('language', p_language::text))
	returning * into v_event;
	return v_event;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Digest of new submissions, per staff member (opt-in)

create table public.staff_settings (
	user_id uuid primary key references public.profiles (id) on delete cascade,
	submission_digest boolean not null default false,
	digest_enabled_at timestamptz,
	digest_sent_at timestamptz,
	updated_at timestamptz not null default now()
);
alter table public.staff_settings enable row level security;
revoke all on public.staff_settings from anon, authenticated, service_role;
grant select on public.staff_settings to authenticated;
grant select, insert, update, delete on public.staff_settings to service_role;
create policy staff_settings_select on public.staff_settings for select to authenticated
	using (user_id = (select auth.uid()));

-- The caller (any staff member) turns their digest on or off.
create function public.set_submission_digest(p_enabled boolean) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	if private.caller_is_anonymous() or not (
		exists (select 1 from public.staff_roles where user_id = v_uid)
		or exists (select 1 from public.workshop_facilitators where user_id = v_uid)
	) then
		raise exception 'not_staff' using errcode = '42501';
	end if;
	insert into public.staff_settings as s (user_id, submission_digest, digest_enabled_at)
	values (v_uid, coalesce(p_enabled, false), case when p_enabled then now() end)
	on conflict (user_id) do update set
		submission_digest = excluded.submission_digest,
		digest_enabled_at = case when excluded.submission_digest and not s.submission_digest
			then now() else s.digest_enabled_at end,
		updated_at = now();
end
$$;

-- Service role (the app's scheduler): per opted-in staff member who still has a role, the pieces
-- waiting for review in their workshops that were submitted since their last digest.
create function public.pending_submission_digests()
returns table (
	user_id uuid,
	email text,
	ui_language public.language_code,
	piece_ids uuid[],
	titles text[],
	newest timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
	select s.user_id, u.email::text, p.ui_language,
		array_agg(pc.id order by pc.submitted_at),
		array_agg(coalesce(t.title, '') order by pc.submitted_at),
		max(pc.submitted_at)
	from public.staff_settings s
	join auth.users u on u.id = s.user_id and u.email is not null
	join public.profiles p on p.id = s.user_id
	join public.pieces pc on pc.status = 'submitted'
		and pc.submitted_at > coalesce(s.digest_sent_at, s.digest_enabled_at, '-infinity')
		and pc.maker_id <> s.user_id
		and (
			exists (select 1 from public.staff_roles r where r.user_id = s.user_id)
			or exists (
				select 1 from public.workshop_facilitators f
				where f.user_id = s.user_id and f.workshop_id = pc.workshop_id
			)
		)
	left join public.piece_texts t on t.piece_id = pc.id and t.language = pc.original_language
	where s.submission_digest
	group by s.user_id, u.email, p.ui_language
$$;

-- Service role: the digest up to `p_until` went out.
create function public.mark_submission_digest_sent(p_user_id uuid, p_until timestamptz)
returns void
language sql
security definer
set search_path = ''
as $$
	update public.staff_settings set digest_sent_at = p_until
	where user_id = p_user_id and (digest_sent_at is null or digest_sent_at < p_until)
$$;

-- ---------------------------------------------------------------------------------------------
-- EXECUTE

revoke all on function private.protect_staff_events(), private.audit_staff_change(),
	private.guard_staff_change(), private.is_anonymous_user(uuid), public.staff_members(),
	public.set_staff_access(uuid, public.staff_role[], uuid[], boolean),
	public.correct_piece_text(uuid, public.language_tag, text, text, jsonb, jsonb),
	public.set_submission_digest(boolean), public.pending_submission_digests(),
	public.mark_submission_digest_sent(uuid, timestamptz)
	from public, anon, authenticated;
grant execute on function public.staff_members(),
	public.set_staff_access(uuid, public.staff_role[], uuid[], boolean),
	public.correct_piece_text(uuid, public.language_tag, text, text, jsonb, jsonb),
	public.set_submission_digest(boolean)
	to authenticated, service_role;
-- The guard trigger runs as the writer.
grant execute on function private.is_anonymous_user(uuid) to authenticated, service_role;
grant execute on function public.pending_submission_digests(),
	public.mark_submission_digest_sent(uuid, timestamptz)
	to service_role;
