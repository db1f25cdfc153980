-- Submitting needs the consent publishing needs, checked in the database so that no client (the
-- app, a script, a direct Data API call) can put a piece in the review queue without it. Errors
-- follow the workflow migration's conventions (P0001 + stable snake_case message):
--   consent_missing            no current consent, or it does not cover the online gallery
--   consent_people_not_agreed  people are visible in the photos and their agreement is not given
--   consent_guardian_missing   the maker is under 16 (or has not said) and no guardian consented
-- The age comes from the consent row AND the maker's profile: a consent claiming 16+ does not
-- override a profile that says under 16 or nothing (the app treats an unknown age as under 16 too).

-- What stands between the piece and a consent under which it could be shown online; null when
-- nothing does. Only the maker's own, not withdrawn consents count; the newest decides. Invoker
-- rights: its only caller is `submit_piece`, which already runs as the owner.
create function private.submit_consent_problem(p_piece_id uuid) returns text
language sql
stable
set search_path = ''
as $$
	select case
		when c.id is null or not ('online_gallery' = any (c.scopes)) then 'consent_missing'
		when c.people_visible and c.depicted_people_agreed is not true
			then 'consent_people_not_agreed'
		when (c.maker_age_bracket = 'under_16' or pr.age_bracket is distinct from '16_plus')
			and c.guardian_consented_at is null then 'consent_guardian_missing'
	end
	from public.pieces p
	left join public.profiles pr on pr.id = p.maker_id
	left join lateral (
		select * from public.consents c
		where c.piece_id = p.id and c.granted_by = p.maker_id and c.withdrawn_at is null
		order by c.granted_at desc, c.id
		limit 1
	) c on true
	where p.id = p_piece_id
$$;

revoke all on function private.submit_consent_problem(uuid) from public, anon, authenticated;
grant execute on function private.submit_consent_problem(uuid) to service_role;

-- Draft or changes_requested → submitted, by the maker, once it has a photo, a title and the
-- consent checked above. Same signature as before, so grants and callers stay as they are.
create or replace function public.submit_piece(p_piece_id uuid) returns public.piece_status
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_uid uuid := (select auth.uid());
	v_piece public.pieces;
	v_problem text;
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
	v_problem := private.submit_consent_problem(p_piece_id);
	if v_problem is not null then
		raise exception '%', v_problem using errcode = 'P0001';
	end if;
	update public.pieces set status = 'submitted' where id = p_piece_id;
	insert into public.moderation_events (piece_id, actor_id, action, from_status, to_status)
	values (p_piece_id, v_uid, 'submit', v_piece.status, 'submitted');
	return 'submitted'::public.piece_status;
end
$$;
