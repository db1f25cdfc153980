-- Share kit for the organisation's social media (issue 15, part 3). Staff may make one only for a
-- published piece whose maker's current consent covers social media, with the same people and
-- guardian conditions as publication. The rule lives here so no client decides it alone; the
-- images are rendered on request and never stored, so withdrawing the consent (or replacing it by
-- one without social media) makes the kit unavailable at once and leaves no copy to delete.

-- Why the caller may not have a share kit of the piece; null when they may:
--   share_kit_not_staff        not a moderator or admin
--   share_kit_not_found        no such piece (or not readable)
--   share_kit_not_published    not (or no longer) published
--   share_kit_no_consent       the current consent does not cover social media
-- Invoker rights: it reads only what the caller's row-level security lets them (moderators see
-- every piece's consents), and needs no privilege of its own.
create function public.share_kit_refusal(p_piece_id uuid) returns text
language sql
stable
set search_path = ''
as $$
	select case
		when not private.is_moderator() then 'share_kit_not_staff'
		when p.id is null then 'share_kit_not_found'
		when p.status <> 'published' then 'share_kit_not_published'
		when not exists (
			select 1 from public.consents c
			where c.piece_id = p.id
				and c.granted_by = p.maker_id
				and c.withdrawn_at is null
				and 'social_media' = any (c.scopes)
				and (not c.people_visible or c.depicted_people_agreed is true)
				and (c.maker_age_bracket <> 'under_16' or c.guardian_consented_at is not null)
		) then 'share_kit_no_consent'
	end
	from (select 1) one
	left join public.pieces p on p.id = p_piece_id
$$;

revoke all on function public.share_kit_refusal(uuid) from public, anon;
grant execute on function public.share_kit_refusal(uuid) to authenticated;
