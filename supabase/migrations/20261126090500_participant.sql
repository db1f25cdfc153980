-- Participant self-service: look up a join code before joining, let workshop staff replace a lost
-- return ticket, and let makers erase their own pieces in any state (GDPR Art. 17). Same error
-- conventions as the workflow migration (P0001 / 42501 with a snake_case message).

-- Which workshop a join code opens, for the join page to greet by name or say "closed" before the
-- visitor signs in. Service role only: the app calls it behind a per-address rate limit, so it is
-- no faster an oracle for guessing codes than `join_workshop` itself.
create function public.join_code_workshop(p_code text)
returns table (workshop_id uuid, title jsonb, joining_open boolean)
language sql
stable
security definer
set search_path = ''
as $$
	select w.id, w.title, w.joining_open
	from private.workshop_join_codes c
	join public.workshops w on w.id = c.workshop_id
	where c.code_hash = private.code_hash(p_code) and c.revoked_at is null
$$;

-- A new return ticket for a participant who lost theirs, issued by staff of one of their
-- workshops (or a moderator); earlier tickets stop working. The plain code is returned once.
create function public.issue_return_ticket_for(p_user_id uuid) returns text
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
	if p_user_id = (select auth.uid()) or not private.is_staff_for_user(p_user_id) then
		raise exception 'not_workshop_staff' using errcode = '42501';
	end if;
	update public.return_tickets set revoked_at = now()
	where user_id = p_user_id and revoked_at is null;
	insert into public.return_tickets (user_id, code_hash)
	values (p_user_id, private.code_hash(v_code));
	return v_code;
end
$$;

-- The maker erases a piece in any state; rows hanging off it go by ON DELETE CASCADE (the
-- moderation log included, which allows deletes only once its piece is gone). The app removes the
-- storage objects first, since the paths live in these rows.
create function public.delete_own_piece(p_piece_id uuid) returns void
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
	delete from public.pieces where id = p_piece_id and maker_id = v_uid;
	if not found then
		raise exception 'piece_not_found' using errcode = 'P0001';
	end if;
end
$$;

revoke all on function public.join_code_workshop(text), public.issue_return_ticket_for(uuid),
	public.delete_own_piece(uuid)
	from public, anon, authenticated;
grant execute on function public.join_code_workshop(text) to service_role;
grant execute on function public.issue_return_ticket_for(uuid), public.delete_own_piece(uuid)
	to authenticated, service_role;
