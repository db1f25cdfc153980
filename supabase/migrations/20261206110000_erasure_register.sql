-- The erasure register (GDPR Art. 17 with backups): every deleted account and piece, by id only,
-- so that a restore from a backup taken before a deletion can delete it again
-- (`npm run restore -- … --erasures …`, docs/operations.md). It holds no name, text or address:
-- a random id and a time. Rows older than the longest backup retention are swept.

create table private.erasures (
	id bigint generated always as identity primary key,
	kind text not null check (kind in ('account', 'piece')),
	subject_id uuid not null,
	-- For a piece: its maker, whose storage folders hold its files.
	maker_id uuid,
	erased_at timestamptz not null default now()
);
create index erasures_erased_at_idx on private.erasures (erased_at);
alter table private.erasures enable row level security;

create function private.record_erasure() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
	if tg_table_schema = 'auth' then
		insert into private.erasures (kind, subject_id) values ('account', old.id);
	else
		insert into private.erasures (kind, subject_id, maker_id) values ('piece', old.id, old.maker_id);
	end if;
	return null;
end
$$;

create trigger pieces_record_erasure after delete on public.pieces
	for each row execute function private.record_erasure();
create trigger users_record_erasure after delete on auth.users
	for each row execute function private.record_erasure();

-- The register from `p_since` on, oldest first (service role: the restore script reads it).
create function public.erasures_since(p_since timestamptz)
returns table (kind text, subject_id uuid, maker_id uuid, erased_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
	select e.kind, e.subject_id, e.maker_id, e.erased_at from private.erasures e
	where e.erased_at >= p_since order by e.erased_at, e.id;
$$;

-- Entries older than every backup that could still hold the data (retention 30 days, kept 45).
create function public.sweep_erasure_register(p_keep interval default interval '45 days')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_count integer;
begin
	delete from private.erasures where erased_at < now() - p_keep;
	get diagnostics v_count = row_count;
	return v_count;
end
$$;

revoke all on function private.record_erasure(), public.erasures_since(timestamptz),
	public.sweep_erasure_register(interval)
	from public, anon, authenticated;
grant execute on function public.erasures_since(timestamptz), public.sweep_erasure_register(interval)
	to service_role;
