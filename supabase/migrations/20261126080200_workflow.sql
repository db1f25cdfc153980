-- The checked paths: triggers that keep the piece lifecycle honest whoever writes, and the RPCs
-- through which participants and staff change state. Business errors are raised with SQLSTATE
-- P0001 (PostgREST: HTTP 400) or 42501 (HTTP 401/403) and a stable snake_case message the app
-- maps to a translated text: not_authenticated, piece_not_found, not_piece_maker, not_editable,
-- missing_photo, missing_title, not_workshop_staff, own_piece, invalid_action,
-- invalid_transition, reason_required, consent_missing, already_moderated, invalid_code,
-- joining_closed, workshop_not_found, already_withdrawn, quota_exceeded.

-- ---------------------------------------------------------------------------------------------
-- Generic triggers

create function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	new.updated_at := now();
	return new;
end
$$;

create trigger profiles_touch before update on public.profiles
	for each row execute function private.touch_updated_at();
create trigger workshops_touch before update on public.workshops
	for each row execute function private.touch_updated_at();
create trigger piece_photos_touch before update on public.piece_photos
	for each row execute function private.touch_updated_at();
create trigger stories_touch before update on public.stories
	for each row execute function private.touch_updated_at();

-- New auth user → profile. SECURITY DEFINER because GoTrue inserts as supabase_auth_admin.
-- user_metadata only seeds cosmetic fields; it never grants anything.
create function private.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_name text := nullif(btrim(new.raw_user_meta_data ->> 'display_name'), '');
	v_lang text := new.raw_user_meta_data ->> 'ui_language';
begin
	insert into public.profiles (id, display_name, ui_language)
	values (
		new.id,
		left(v_name, 60),
		case when v_lang in ('de', 'en', 'uk', 'ar', 'fa') then v_lang::public.language_code
			else 'de'::public.language_code end
	)
	on conflict (id) do nothing;
	return new;
end
$$;

create trigger on_auth_user_created after insert on auth.users
	for each row execute function private.handle_new_user();

-- ---------------------------------------------------------------------------------------------
-- Consent

-- A piece may be shown online only with a current consent that covers the online gallery,
-- covers the people in the photos, and for an under-16 maker includes a guardian's consent.
create function private.has_publishable_consent(p_piece_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.consents c
		where c.piece_id = p_piece_id
			and c.withdrawn_at is null
			and 'online_gallery' = any (c.scopes)
			and (not c.people_visible or c.depicted_people_agreed)
			and (c.maker_age_bracket <> 'under_16' or c.guardian_consented_at is not null)
	)
$$;

-- ---------------------------------------------------------------------------------------------
-- Piece lifecycle

create function private.is_valid_transition(
	p_from public.piece_status,
	p_to public.piece_status
) returns boolean
language sql
immutable
set search_path = ''
as $$
	select (p_from, p_to) in (
		('draft'::public.piece_status, 'submitted'::public.piece_status),
		('changes_requested', 'submitted'),
		('submitted', 'published'),
		('submitted', 'changes_requested'),
		('submitted', 'rejected'),
		('changes_requested', 'rejected'),
		('published', 'changes_requested')
	) or (p_to = 'withdrawn' and p_from <> 'withdrawn')
$$;

-- Guards every write to pieces, including writes by checked functions and the service role:
-- API roles can never change status, owner or workshop (column privileges already refuse it;
-- this catches a future over-broad grant), transitions follow the lifecycle, each transition is
-- timestamped, and publication needs consent and someone other than the maker.
create function private.guard_piece_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	if tg_op = 'INSERT' then
		if new.status <> 'draft' then
			raise exception 'invalid_transition' using errcode = 'P0001',
				detail = 'pieces start as drafts';
		end if;
		new.status_changed_at := now();
		return new;
	end if;

	if current_user in ('anon', 'authenticated') and (
		new.status is distinct from old.status
		or new.maker_id is distinct from old.maker_id
		or new.workshop_id is distinct from old.workshop_id
	) then
		raise exception 'status_change_not_allowed' using errcode = '42501';
	end if;

	new.updated_at := now();
	if new.status is distinct from old.status then
		if not private.is_valid_transition(old.status, new.status) then
			raise exception 'invalid_transition' using errcode = 'P0001',
				detail = format('%s -> %s', old.status, new.status);
		end if;
		if new.status = 'published' then
			if not private.has_publishable_consent(new.id) then
				raise exception 'consent_missing' using errcode = 'P0001';
			end if;
			if new.maker_id = (select auth.uid()) then
				raise exception 'own_piece' using errcode = '42501';
			end if;
		end if;
		-- Each transition stamps its column, unless the writer set it explicitly (seed data).
		new.status_changed_at := now();
		case new.status
			when 'submitted' then
				if new.submitted_at is not distinct from old.submitted_at then
					new.submitted_at := now();
				end if;
			when 'changes_requested' then
				if new.changes_requested_at is not distinct from old.changes_requested_at then
					new.changes_requested_at := now();
				end if;
			when 'published' then
				if new.published_at is not distinct from old.published_at then
					new.published_at := now();
				end if;
			when 'rejected' then
				if new.rejected_at is not distinct from old.rejected_at then
					new.rejected_at := now();
				end if;
			when 'withdrawn' then
				if new.withdrawn_at is not distinct from old.withdrawn_at then
					new.withdrawn_at := now();
				end if;
			else null;
		end case;
	end if;
	return new;
end
$$;

create trigger pieces_guard before insert or update on public.pieces
	for each row execute function private.guard_piece_write();

-- Leaving the gallery clears the public media paths in the same transaction; the app then deletes
-- the objects from `public-media` with the service role.
create function private.after_piece_status_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
	if old.status = 'published' and new.status <> 'published' then
		update public.piece_photos set public_variants = null where piece_id = new.id;
	end if;
	return null;
end
$$;

create trigger pieces_after_status after update of status on public.pieces
	for each row execute function private.after_piece_status_change();

-- Withdrawing the consent a published piece relies on takes it offline at once (GDPR Art. 7(3)).
create function private.after_consent_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_piece public.pieces;
begin
	select * into v_piece from public.pieces where id = old.piece_id for update;
	if found and v_piece.status = 'published'
		and not private.has_publishable_consent(v_piece.id) then
		update public.pieces set status = 'withdrawn' where id = v_piece.id;
		insert into public.moderation_events (piece_id, actor_id, action, reason_codes, from_status,
			to_status)
		values (v_piece.id, (select auth.uid()), 'consent_withdrawn', '{maker_request}', 'published',
			'withdrawn');
	end if;
	return null;
end
$$;

create trigger consents_after_change after update or delete on public.consents
	for each row execute function private.after_consent_change();

-- Full-text search across languages: `simple` configuration (no stemming: works the same for
-- German, Ukrainian, Arabic and Persian) over unaccented, lower-cased text.
create function private.fold_text(p_text text) returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
	select pg_catalog.lower(
		extensions.unaccent('extensions.unaccent'::regdictionary, coalesce(p_text, ''))
	)
$$;

-- All text nodes of a tiptap document, in document order.
create function private.tiptap_plain_text(p_doc jsonb) returns text
language sql
immutable
set search_path = ''
as $$
	select coalesce(string_agg(t #>> '{}', ' '), '')
	from pg_catalog.jsonb_path_query(
		coalesce(p_doc, '{}'::jsonb),
		'strict $.**.text ? (@.type() == "string")'
	) as t
$$;

create function private.piece_texts_before_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	new.search_vector :=
		setweight(to_tsvector('pg_catalog.simple', private.fold_text(new.title)), 'A')
		|| setweight(to_tsvector('pg_catalog.simple', private.fold_text(new.caption)), 'B')
		|| setweight(
			to_tsvector('pg_catalog.simple', private.fold_text(private.tiptap_plain_text(new.story))),
			'C'
		);
	new.updated_at := now();
	if tg_op = 'INSERT' then
		new.created_at := now();
	end if;
	return new;
end
$$;

create trigger piece_texts_before_write before insert or update on public.piece_texts
	for each row execute function private.piece_texts_before_write();

-- Moderation events are history: nobody updates or deletes them (no grant, no policy, and this
-- trigger for roles that could otherwise, such as the table owner). Rows go only when their piece
-- is erased (ON DELETE CASCADE, GDPR Art. 17): then the piece no longer exists.
create function private.protect_moderation_events() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	if tg_op = 'DELETE' and not exists (select 1 from public.pieces p where p.id = old.piece_id)
	then
		return old;
	end if;
	raise exception 'moderation_events_append_only' using errcode = '42501';
end
$$;

create trigger moderation_events_append_only before update or delete on public.moderation_events
	for each row execute function private.protect_moderation_events();
create trigger moderation_events_no_truncate before truncate on public.moderation_events
	for each statement execute function private.protect_moderation_events();

-- ---------------------------------------------------------------------------------------------
-- Codes: human-typable, 20 symbols from a 32-letter alphabet (100 bits), grouped by 4.

create function private.new_code(p_prefix text) returns text
language sql
volatile
set search_path = ''
as $$
	select p_prefix || string_agg(
		substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', (get_byte(b.bytes, i) % 32) + 1, 1)
			|| case when i % 4 = 3 and i < 19 then '-' else '' end,
		'' order by i
	)
	from (select extensions.gen_random_bytes(20) as bytes) b, generate_series(0, 19) as i
$$;

-- Codes are compared case- and separator-insensitively: `faden 2026 demo` = `FADEN-2026-DEMO`.
create function private.code_hash(p_code text) returns bytea
language sql
immutable
set search_path = ''
as $$
	select sha256(convert_to(upper(regexp_replace(coalesce(p_code, ''), '[^A-Za-z0-9]', '', 'g')),
		'UTF8'))
$$;

-- ---------------------------------------------------------------------------------------------
-- RPCs for participants

-- Joins the workshop whose current code matches. Works for anonymous sign-ins (that is how
-- participants arrive by QR code). Optional profile fields are saved in the same call.
create function public.join_workshop(
	p_code text,
	p_display_name text default null,
	p_ui_language public.language_code default null,
	p_age_bracket public.age_bracket default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_workshop public.workshops;
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	select w.* into v_workshop
	from private.workshop_join_codes c
	join public.workshops w on w.id = c.workshop_id
	where c.code_hash = private.code_hash(p_code) and c.revoked_at is null;
	if not found then
		raise exception 'invalid_code' using errcode = 'P0001';
	end if;
	if not v_workshop.joining_open then
		raise exception 'joining_closed' using errcode = 'P0001';
	end if;
	insert into public.workshop_members (workshop_id, user_id)
	values (v_workshop.id, v_uid)
	on conflict do nothing;
	update public.profiles
	set display_name = coalesce(left(nullif(btrim(p_display_name), ''), 60), display_name),
		ui_language = coalesce(p_ui_language, ui_language),
		age_bracket = coalesce(p_age_bracket, age_bracket)
	where id = v_uid;
	return v_workshop.id;
end
$$;

-- Draft or changes_requested → submitted, by the maker, once it has a photo and a title.
create function public.submit_piece(p_piece_id uuid) returns public.piece_status
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_piece public.pieces;
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	select * into v_piece from public.pieces where id = p_piece_id for update;
	if not found or v_piece.maker_id <> v_uid then
		raise exception 'piece_not_found' using errcode = 'P0001';
	end if;
	if v_piece.status not in ('draft', 'changes_requested') then
		raise exception 'not_editable' using errcode = 'P0001', detail = v_piece.status::text;
	end if;
	if not exists (select 1 from public.piece_photos where piece_id = p_piece_id) then
		raise exception 'missing_photo' using errcode = 'P0001';
	end if;
	if not exists (select 1 from public.piece_texts where piece_id = p_piece_id) then
		raise exception 'missing_title' using errcode = 'P0001';
	end if;
	update public.pieces set status = 'submitted' where id = p_piece_id;
	insert into public.moderation_events (piece_id, actor_id, action, from_status, to_status)
	values (p_piece_id, v_uid, 'submit', v_piece.status, 'submitted');
	return 'submitted'::public.piece_status;
end
$$;

-- The maker takes a piece back at any time, from any state.
create function public.withdraw_piece(p_piece_id uuid) returns public.piece_status
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_piece public.pieces;
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	select * into v_piece from public.pieces where id = p_piece_id for update;
	if not found or v_piece.maker_id <> v_uid then
		raise exception 'piece_not_found' using errcode = 'P0001';
	end if;
	if v_piece.status = 'withdrawn' then
		raise exception 'already_withdrawn' using errcode = 'P0001';
	end if;
	update public.pieces set status = 'withdrawn' where id = p_piece_id;
	insert into public.moderation_events (piece_id, actor_id, action, reason_codes, from_status,
		to_status)
	values (p_piece_id, v_uid, 'withdraw', '{maker_request}', v_piece.status, 'withdrawn');
	return 'withdrawn'::public.piece_status;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Moderation

-- publish: submitted → published; request_changes: submitted → changes_requested;
-- reject: submitted | changes_requested → rejected; unpublish: published → changes_requested.
-- The caller's staff role is re-read here on every call. The UPDATE only succeeds if the piece is
-- still in `p_expected_status`, so of two moderators acting at once exactly one wins and the
-- other gets `already_moderated` (detail: the current status).
create function public.moderate_piece(
	p_piece_id uuid,
	p_action public.moderation_action,
	p_expected_status public.piece_status,
	p_reason_codes text[] default '{}',
	p_note text default null,
	p_note_language public.language_tag default null
) returns public.moderation_events
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_piece public.pieces;
	v_to public.piece_status;
	v_event public.moderation_events;
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	select * into v_piece from public.pieces where id = p_piece_id;
	if not found then
		raise exception 'piece_not_found' using errcode = 'P0001';
	end if;
	if not private.is_workshop_staff(v_piece.workshop_id) then
		raise exception 'not_workshop_staff' using errcode = '42501';
	end if;
	if v_piece.maker_id = v_uid then
		raise exception 'own_piece' using errcode = '42501';
	end if;

	v_to := case
		when p_action = 'publish' and p_expected_status = 'submitted' then 'published'
		when p_action = 'request_changes' and p_expected_status = 'submitted'
			then 'changes_requested'
		when p_action = 'reject' and p_expected_status in ('submitted', 'changes_requested')
			then 'rejected'
		when p_action = 'unpublish' and p_expected_status = 'published' then 'changes_requested'
	end::public.piece_status;
	if v_to is null then
		raise exception 'invalid_action' using errcode = 'P0001',
			detail = format('%s from %s', p_action, p_expected_status);
	end if;
	if p_action <> 'publish' and cardinality(coalesce(p_reason_codes, '{}')) = 0 then
		raise exception 'reason_required' using errcode = 'P0001';
	end if;
	if p_action = 'publish' and not private.has_publishable_consent(p_piece_id) then
		raise exception 'consent_missing' using errcode = 'P0001';
	end if;

	update public.pieces set status = v_to
	where id = p_piece_id and status = p_expected_status
	returning * into v_piece;
	if not found then
		select * into v_piece from public.pieces where id = p_piece_id;
		raise exception 'already_moderated' using errcode = 'P0001',
			detail = coalesce(v_piece.status::text, 'deleted');
	end if;

	insert into public.moderation_events (piece_id, actor_id, action, reason_codes, note,
		note_language, from_status, to_status)
	values (p_piece_id, v_uid, p_action, coalesce(p_reason_codes, '{}'), nullif(p_note, ''),
		case when nullif(p_note, '') is null then null
			else coalesce(p_note_language, 'de'::public.language_tag) end,
		p_expected_status, v_to)
	returning * into v_event;
	return v_event;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Codes for staff and participants

-- Issues a new join code for a workshop (admins, or its facilitators) and revokes the old ones.
-- The plain code is returned once and never stored.
create function public.rotate_join_code(p_workshop_id uuid) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_code text := private.new_code('');
begin
	if (select auth.uid()) is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	if not exists (select 1 from public.workshops where id = p_workshop_id) then
		raise exception 'workshop_not_found' using errcode = 'P0001';
	end if;
	if not (private.is_admin() or private.is_facilitator_of(p_workshop_id)) then
		raise exception 'not_workshop_staff' using errcode = '42501';
	end if;
	update private.workshop_join_codes set revoked_at = now()
	where workshop_id = p_workshop_id and revoked_at is null;
	insert into private.workshop_join_codes (workshop_id, code_hash, created_by)
	values (p_workshop_id, private.code_hash(v_code), (select auth.uid()));
	return v_code;
end
$$;

-- A personal return code for the caller (typically an anonymous sign-in), shown once; earlier
-- tickets are revoked.
create function public.create_return_ticket() returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_code text := private.new_code('');
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	update public.return_tickets set revoked_at = now()
	where user_id = v_uid and revoked_at is null;
	insert into public.return_tickets (user_id, code_hash)
	values (v_uid, private.code_hash(v_code));
	return v_code;
end
$$;

-- Server side only (service role): which user a return code belongs to, or null.
create function public.redeem_return_ticket(p_code text) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_user uuid;
begin
	update public.return_tickets set last_used_at = now()
	where code_hash = private.code_hash(p_code) and revoked_at is null
	returning user_id into v_user;
	return v_user;
end
$$;

-- Fixed-window quota: adds `p_amount` to the caller's use of `p_bucket` in the current window and
-- raises quota_exceeded past `p_limit`. Called by the app's server with the user's session.
create function public.take_quota(
	p_bucket text,
	p_limit integer,
	p_window interval,
	p_amount integer default 1
) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_start timestamptz := to_timestamp(
		floor(extract(epoch from now()) / extract(epoch from p_window)) * extract(epoch from p_window)
	);
	v_used integer;
begin
	if v_uid is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	insert into private.quota_usage as q (user_id, bucket, window_start, used)
	values (v_uid, p_bucket, v_start, p_amount)
	on conflict (user_id, bucket, window_start) do update set used = q.used + excluded.used
	returning used into v_used;
	if v_used > p_limit then
		raise exception 'quota_exceeded' using errcode = 'P0001', detail = p_bucket;
	end if;
	return v_used;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- EXECUTE: nothing for PUBLIC; anonymous-key callers get no privileged function at all.

revoke all on function private.touch_updated_at(), private.handle_new_user(),
	private.has_publishable_consent(uuid),
	private.is_valid_transition(public.piece_status, public.piece_status),
	private.guard_piece_write(), private.after_piece_status_change(),
	private.after_consent_change(), private.fold_text(text), private.tiptap_plain_text(jsonb),
	private.piece_texts_before_write(), private.protect_moderation_events(),
	private.new_code(text), private.code_hash(text),
	public.take_quota(text, integer, interval, integer)
	from public, anon, authenticated;
revoke all on function
	public.join_workshop(text, text, public.language_code, public.age_bracket),
	public.submit_piece(uuid), public.withdraw_piece(uuid),
	public.moderate_piece(uuid, public.moderation_action, public.piece_status, text[], text,
		public.language_tag),
	public.rotate_join_code(uuid), public.create_return_ticket(), public.redeem_return_ticket(text)
	from public, anon, authenticated;

grant execute on function private.fold_text(text), private.tiptap_plain_text(jsonb)
	to anon, authenticated, service_role;
-- The guard trigger runs as the writer; only the service role (and definer functions) ever move a
-- piece to published, so only it needs the consent check.
grant execute on function private.has_publishable_consent(uuid) to service_role;
grant execute on function
	private.is_valid_transition(public.piece_status, public.piece_status),
	public.take_quota(text, integer, interval, integer)
	to authenticated, service_role;
grant execute on function
	public.join_workshop(text, text, public.language_code, public.age_bracket),
	public.submit_piece(uuid), public.withdraw_piece(uuid),
	public.moderate_piece(uuid, public.moderation_action, public.piece_status, text[], text,
		public.language_tag),
	public.rotate_join_code(uuid), public.create_return_ticket()
	to authenticated, service_role;
grant execute on function public.redeem_return_ticket(text) to service_role;
