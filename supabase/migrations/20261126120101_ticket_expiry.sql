-- Return tickets expire when unused: a ticket works while it has been used (or, if never used,
-- issued) within the last 12 months; each sign-in starts the 12 months again. Twelve months
-- covers a workshop season and the pause until the next one, so someone who comes back for the
-- next year's workshop still gets in, while a photographed code found years later does not. An
-- expired or replaced code gets its own error so the participant learns why and whom to ask
-- (P0001 + ticket_expired / ticket_replaced); an unknown code still returns null. Telling
-- "replaced" from "unknown" reveals nothing useful: codes carry 100 random bits.

create or replace function public.redeem_return_ticket(p_code text) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_ticket public.return_tickets;
begin
	select * into v_ticket from public.return_tickets
	where code_hash = private.code_hash(p_code)
	for update;
	if not found then
		return null;
	end if;
	if v_ticket.revoked_at is not null then
		raise exception 'ticket_replaced' using errcode = 'P0001';
	end if;
	if coalesce(v_ticket.last_used_at, v_ticket.created_at) < now() - interval '12 months' then
		raise exception 'ticket_expired' using errcode = 'P0001';
	end if;
	update public.return_tickets set last_used_at = now() where id = v_ticket.id;
	return v_ticket.user_id;
end
$$;
