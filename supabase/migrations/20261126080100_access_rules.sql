-- Who may see and change what: helper predicates and one policy per table, role and command (no
-- overlapping permissive policies). Audiences: anon (public visitor); authenticated, which covers
-- participants including anonymous sign-ins (`is_anonymous` claim); facilitators of a workshop
-- (workshop_facilitators); moderators and admins (staff_roles). Staff rights are looked up in the
-- database on every statement, so revoking a role takes effect on the next call.
--
-- The helpers are SECURITY DEFINER so that policies can consult staff and membership tables
-- without recursing through those tables' own policies. They live in `private` (not exposed by
-- the Data API), take no input that reaches dynamic SQL, and only answer questions about the
-- caller.

create function private.caller_is_anonymous() returns boolean
language sql
stable
set search_path = ''
as $$
	select coalesce((select auth.jwt() ->> 'is_anonymous')::boolean, false)
$$;

-- Staff accounts are full accounts: a staff row attached to an anonymous sign-in grants nothing.
create function private.is_admin() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select not private.caller_is_anonymous() and exists (
		select 1 from public.staff_roles s
		where s.user_id = (select auth.uid()) and s.role = 'admin'
	)
$$;

create function private.is_moderator() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select not private.caller_is_anonymous() and exists (
		select 1 from public.staff_roles s
		where s.user_id = (select auth.uid()) and s.role in ('moderator', 'admin')
	)
$$;

create function private.is_facilitator_of(p_workshop_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select not private.caller_is_anonymous() and exists (
		select 1 from public.workshop_facilitators f
		where f.workshop_id = p_workshop_id and f.user_id = (select auth.uid())
	)
$$;

-- Staff of a workshop: its facilitators, and moderators/admins (who cover every workshop).
create function private.is_workshop_staff(p_workshop_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select private.is_moderator() or private.is_facilitator_of(p_workshop_id)
$$;

create function private.is_workshop_member(p_workshop_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.workshop_members m
		where m.workshop_id = p_workshop_id and m.user_id = (select auth.uid())
	)
$$;

-- Facilitators see the profiles of people in their workshops; moderators see everyone's.
create function private.is_staff_for_user(p_user_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select private.is_moderator() or (
		not private.caller_is_anonymous() and exists (
			select 1
			from public.workshop_members m
			join public.workshop_facilitators f on f.workshop_id = m.workshop_id
			where m.user_id = p_user_id and f.user_id = (select auth.uid())
		)
	)
$$;

-- Readable piece: published, or the caller's own, or (once submitted) staff of its workshop.
-- Drafts stay private to their maker.
create function private.can_read_piece(p_piece_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.pieces p
		where p.id = p_piece_id
			and (
				p.status = 'published'
				or p.maker_id = (select auth.uid())
				or (p.status <> 'draft' and private.is_workshop_staff(p.workshop_id))
			)
	)
$$;

-- The maker may edit content while the piece is a draft or has changes requested.
create function private.can_edit_piece(p_piece_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.pieces p
		where p.id = p_piece_id
			and p.maker_id = (select auth.uid())
			and p.status in ('draft', 'changes_requested')
	)
$$;

-- Staff of the workshop may fix texts and translations of pieces under review or on show.
create function private.can_curate_piece(p_piece_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.pieces p
		where p.id = p_piece_id
			and p.status in ('submitted', 'changes_requested', 'published')
			and private.is_workshop_staff(p.workshop_id)
	)
$$;

create function private.is_piece_maker(p_piece_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.pieces p
		where p.id = p_piece_id and p.maker_id = (select auth.uid())
	)
$$;

create function private.is_piece_staff(p_piece_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (
		select 1 from public.pieces p
		where p.id = p_piece_id and private.is_workshop_staff(p.workshop_id)
	)
$$;

-- Published story items show only published pieces.
create function private.is_public_story_item(p_story_id uuid, p_piece_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
	select exists (select 1 from public.stories s where s.id = p_story_id and s.published)
		and (
			p_piece_id is null
			or exists (
				select 1 from public.pieces p where p.id = p_piece_id and p.status = 'published'
			)
		)
$$;

revoke all on function private.caller_is_anonymous(), private.is_admin(), private.is_moderator(),
	private.is_facilitator_of(uuid), private.is_workshop_staff(uuid),
	private.is_workshop_member(uuid), private.is_staff_for_user(uuid),
	private.can_read_piece(uuid), private.can_edit_piece(uuid), private.can_curate_piece(uuid),
	private.is_piece_maker(uuid), private.is_piece_staff(uuid),
	private.is_public_story_item(uuid, uuid), private.is_language_map(jsonb)
	from public, anon, authenticated;
grant execute on function private.caller_is_anonymous(), private.is_admin(),
	private.is_moderator(), private.is_facilitator_of(uuid), private.is_workshop_staff(uuid),
	private.is_workshop_member(uuid), private.is_staff_for_user(uuid),
	private.can_read_piece(uuid), private.can_edit_piece(uuid), private.can_curate_piece(uuid),
	private.is_piece_maker(uuid), private.is_piece_staff(uuid),
	private.is_public_story_item(uuid, uuid)
	to authenticated, service_role;
-- Used by CHECK constraints, which run with the writer's privileges.
grant execute on function private.is_language_map(jsonb) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- profiles: no INSERT (the auth trigger creates them) and no DELETE (cascades from auth.users).

create policy profiles_select on public.profiles for select to authenticated
	using (id = (select auth.uid()) or private.is_staff_for_user(id));
create policy profiles_update on public.profiles for update to authenticated
	using (id = (select auth.uid()))
	with check (id = (select auth.uid()));

-- staff_roles: only admins change them.
create policy staff_roles_select on public.staff_roles for select to authenticated
	using (user_id = (select auth.uid()) or (select private.is_admin()));
create policy staff_roles_insert on public.staff_roles for insert to authenticated
	with check ((select private.is_admin()) and granted_by = (select auth.uid()));
create policy staff_roles_delete on public.staff_roles for delete to authenticated
	using ((select private.is_admin()));

-- workshops: public programme; admins create and delete, facilitators edit their own.
create policy workshops_select on public.workshops for select to anon, authenticated
	using (true);
create policy workshops_insert on public.workshops for insert to authenticated
	with check ((select private.is_admin()));
create policy workshops_update on public.workshops for update to authenticated
	using ((select private.is_admin()) or private.is_facilitator_of(id))
	with check ((select private.is_admin()) or private.is_facilitator_of(id));
create policy workshops_delete on public.workshops for delete to authenticated
	using ((select private.is_admin()));

-- Join codes: the hash column is not granted to anyone; staff see when codes were made.
create policy workshop_join_codes_select on private.workshop_join_codes for select
	to authenticated
	using ((select private.is_admin()) or private.is_facilitator_of(workshop_id));

create policy workshop_facilitators_select on public.workshop_facilitators for select
	to authenticated
	using (user_id = (select auth.uid()) or private.is_workshop_staff(workshop_id));
create policy workshop_facilitators_insert on public.workshop_facilitators for insert
	to authenticated
	with check ((select private.is_admin()));
create policy workshop_facilitators_delete on public.workshop_facilitators for delete
	to authenticated
	using ((select private.is_admin()));

-- workshop_members: joining only through join_workshop(); members may leave.
create policy workshop_members_select on public.workshop_members for select to authenticated
	using (user_id = (select auth.uid()) or private.is_workshop_staff(workshop_id));
create policy workshop_members_delete on public.workshop_members for delete to authenticated
	using (user_id = (select auth.uid()) or (select private.is_admin()));

-- pieces: status and owner never change through these policies (not granted; see triggers).
create policy pieces_select_public on public.pieces for select to anon
	using (status = 'published');
create policy pieces_select on public.pieces for select to authenticated
	using (
		status = 'published'
		or maker_id = (select auth.uid())
		or (status <> 'draft' and private.is_workshop_staff(workshop_id))
	);
create policy pieces_insert on public.pieces for insert to authenticated
	with check (
		maker_id = (select auth.uid())
		and status = 'draft'
		and private.is_workshop_member(workshop_id)
	);
create policy pieces_update on public.pieces for update to authenticated
	using (maker_id = (select auth.uid()) and status in ('draft', 'changes_requested'))
	with check (maker_id = (select auth.uid()) and status in ('draft', 'changes_requested'));
create policy pieces_delete on public.pieces for delete to authenticated
	using (maker_id = (select auth.uid()) and status = 'draft');

-- piece_photos: rows point into the maker's own folder of the masters bucket.
create policy piece_photos_select_public on public.piece_photos for select to anon
	using (exists (
		select 1 from public.pieces p where p.id = piece_id and p.status = 'published'
	));
create policy piece_photos_select on public.piece_photos for select to authenticated
	using (private.can_read_piece(piece_id));
create policy piece_photos_insert on public.piece_photos for insert to authenticated
	with check (
		private.can_edit_piece(piece_id)
		and master_path like (select auth.uid())::text || '/' || piece_id::text || '/%'
	);
create policy piece_photos_update on public.piece_photos for update to authenticated
	using (private.can_edit_piece(piece_id))
	with check (private.can_edit_piece(piece_id));
create policy piece_photos_delete on public.piece_photos for delete to authenticated
	using (private.can_edit_piece(piece_id));

-- piece_texts: the maker while editable; staff of the workshop for review and translations.
create policy piece_texts_select_public on public.piece_texts for select to anon
	using (exists (
		select 1 from public.pieces p where p.id = piece_id and p.status = 'published'
	));
create policy piece_texts_select on public.piece_texts for select to authenticated
	using (private.can_read_piece(piece_id));
create policy piece_texts_insert on public.piece_texts for insert to authenticated
	with check (private.can_edit_piece(piece_id) or private.can_curate_piece(piece_id));
create policy piece_texts_update on public.piece_texts for update to authenticated
	using (private.can_edit_piece(piece_id) or private.can_curate_piece(piece_id))
	with check (private.can_edit_piece(piece_id) or private.can_curate_piece(piece_id));
create policy piece_texts_delete on public.piece_texts for delete to authenticated
	using (private.can_edit_piece(piece_id) or private.can_curate_piece(piece_id));

-- consents: given by the maker for their own piece; withdrawn by setting withdrawn_at (the only
-- updatable column); never deleted through the API (the log is evidence, GDPR Art. 7(1)).
create policy consents_select on public.consents for select to authenticated
	using (granted_by = (select auth.uid()) or private.is_piece_staff(piece_id));
create policy consents_insert on public.consents for insert to authenticated
	with check (
		granted_by = (select auth.uid())
		and private.is_piece_maker(piece_id)
		and withdrawn_at is null
	);
create policy consents_update on public.consents for update to authenticated
	using (granted_by = (select auth.uid()) and withdrawn_at is null)
	with check (granted_by = (select auth.uid()) and withdrawn_at is not null);

-- moderation_events: read by the maker and the workshop's staff; written only by functions.
create policy moderation_events_select on public.moderation_events for select to authenticated
	using (private.is_piece_maker(piece_id) or private.is_piece_staff(piece_id));

-- stories: curated by moderators and admins.
create policy stories_select_public on public.stories for select to anon
	using (published);
create policy stories_select on public.stories for select to authenticated
	using (published or (select private.is_moderator()));
create policy stories_insert on public.stories for insert to authenticated
	with check ((select private.is_moderator()));
create policy stories_update on public.stories for update to authenticated
	using ((select private.is_moderator()))
	with check ((select private.is_moderator()));
create policy stories_delete on public.stories for delete to authenticated
	using ((select private.is_moderator()));

create policy story_items_select_public on public.story_items for select to anon
	using (
		exists (select 1 from public.stories s where s.id = story_id and s.published)
		and (
			piece_id is null
			or exists (
				select 1 from public.pieces p where p.id = piece_id and p.status = 'published'
			)
		)
	);
create policy story_items_select on public.story_items for select to authenticated
	using (private.is_public_story_item(story_id, piece_id) or (select private.is_moderator()));
create policy story_items_insert on public.story_items for insert to authenticated
	with check ((select private.is_moderator()));
create policy story_items_update on public.story_items for update to authenticated
	using ((select private.is_moderator()))
	with check ((select private.is_moderator()));
create policy story_items_delete on public.story_items for delete to authenticated
	using ((select private.is_moderator()));

create policy themes_select on public.themes for select to anon, authenticated
	using (true);
create policy themes_insert on public.themes for insert to authenticated
	with check ((select private.is_moderator()));
create policy themes_update on public.themes for update to authenticated
	using ((select private.is_moderator()))
	with check ((select private.is_moderator()));
create policy themes_delete on public.themes for delete to authenticated
	using ((select private.is_moderator()));

create policy piece_themes_select_public on public.piece_themes for select to anon
	using (exists (
		select 1 from public.pieces p where p.id = piece_id and p.status = 'published'
	));
create policy piece_themes_select on public.piece_themes for select to authenticated
	using (private.can_read_piece(piece_id));
create policy piece_themes_insert on public.piece_themes for insert to authenticated
	with check (private.can_edit_piece(piece_id) or private.can_curate_piece(piece_id));
create policy piece_themes_delete on public.piece_themes for delete to authenticated
	using (private.can_edit_piece(piece_id) or private.can_curate_piece(piece_id));

-- return_tickets: created by create_return_ticket(); the owner sees and revokes their own.
create policy return_tickets_select on public.return_tickets for select to authenticated
	using (user_id = (select auth.uid()));
create policy return_tickets_update on public.return_tickets for update to authenticated
	using (user_id = (select auth.uid()) and revoked_at is null)
	with check (user_id = (select auth.uid()) and revoked_at is not null);

create policy quota_usage_select on private.quota_usage for select to authenticated
	using (user_id = (select auth.uid()));
grant select on private.quota_usage to authenticated;
