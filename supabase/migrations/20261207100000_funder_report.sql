-- Funder report: participation figures for a period, with small counts suppressed in the database
-- so that no figure, and no difference of figures in one report, can point at a person.
--
-- project_settings holds what the report prints (the project's and the funders' names) and its
-- default period. public.funder_report() is the only way to the figures; it re-reads the caller's
-- role on every call (moderators and admins only) and returns each figure already suppressed.

create table public.project_settings (
	-- A single row: the primary key can only be true.
	id boolean primary key default true check (id),
	project_name text not null default 'connecting thread'
		check (char_length(project_name) between 1 and 200),
	-- As printed on the report, one funder per element, in the order given.
	funders text[] not null default '{}'
		check (cardinality(funders) <= 10 and char_length(array_to_string(funders, '')) <= 1000),
	period_start date,
	period_end date,
	updated_at timestamptz not null default now(),
	check ((period_start is null) = (period_end is null)),
	check (period_end is null or period_end >= period_start)
);
insert into public.project_settings (id) values (true);

alter table public.project_settings enable row level security;
revoke all on public.project_settings from anon, authenticated, service_role;
grant select on public.project_settings to authenticated;
grant update (project_name, funders, period_start, period_end, updated_at)
	on public.project_settings to authenticated;
grant select, update on public.project_settings to service_role;

create policy project_settings_select on public.project_settings for select to authenticated
	using ((select private.is_moderator()));
create policy project_settings_update on public.project_settings for update to authenticated
	using ((select private.is_admin()))
	with check ((select private.is_admin()));

-- ---------------------------------------------------------------------------------------------
-- The report
--
-- Figures (dates are days in Europe/Berlin, both ends included; "the workshops" are all of them,
-- or the one workshop, or those at the one venue asked for):
--   workshops.held          workshops whose dates overlap the period
--   workshops.sessions      days in the period on which a piece of a workshop was started,
--                           counted per workshop (the app has no session register)
--   workshops.participants  distinct people who joined a workshop or started a piece in it
--                           during the period
--   pieces.submitted        pieces first sent for review ... (submitted_at) in the period: the
--                           base set n for every figure below
--   pieces.published        of those, on show in the gallery now
--   pieces.translated       of those, with texts in more than one language
--   pieces.translated_share the same as a whole percentage of n
--   pieces.voice_notes      of those, with a voice note
--   consent.<scope>         of those, with a consent for that use that is not withdrawn
--   languages.<tag>         of those, pieces with a title/caption in that language; languages
--                           below the threshold are pooled into languages._other, so a rare
--                           language is never named (it would point at its few speakers)
--
-- Suppression (threshold 5), in two steps:
--   1. primary: every figure below 5, zero included, is suppressed ('small', shown as "< 5").
--   2. complementary: a group is a set of figures whose sum is shown or derivable. Where exactly
--      one figure of a group is suppressed, the smallest other figure of the group is suppressed
--      too ('complement'), so the suppressed one cannot be had by subtraction. Groups:
--      - each "of those" figure c with its complement n - c (they sum to n, which is shown):
--        c is suppressed when c < 5, and also when n - c < 5 (the few pieces without it);
--      - the language rows (texts in several languages aside, they add up to about n).
--   The other figures count different things (workshops, days, people, pieces): no sum of them
--   is another figure, so each needs only step 1.
--   A suppressed figure is returned as null; so is a share whose count is suppressed.
-- The function answers about one selection at a time; see docs/funder-report.md for what that
-- does and does not protect against (differences between two reports).

create function public.funder_report(
	p_from date,
	p_to date,
	p_workshop_id uuid default null,
	p_venue text default null
)
returns table (
	"position" integer,
	section text,
	item text,
	figure integer,
	suppressed text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
	threshold constant integer := 5;
	v_workshops uuid[];
	v_pieces uuid[];
	v_n integer;
	v_from timestamptz;
	v_to timestamptz;
begin
	if (select auth.uid()) is null then
		raise exception 'not_authenticated' using errcode = '42501';
	end if;
	if not private.is_moderator() then
		raise exception 'report_not_allowed' using errcode = '42501';
	end if;
	if p_from is null or p_to is null or not pg_catalog.isfinite(p_from)
		or not pg_catalog.isfinite(p_to) then
		raise exception 'report_invalid_date' using errcode = '22023';
	end if;
	if p_to < p_from then
		raise exception 'report_end_before_start' using errcode = '22023';
	end if;
	if p_to - p_from > 3660 then
		raise exception 'report_period_too_long' using errcode = '22023';
	end if;
	if p_workshop_id is not null
		and not exists (select 1 from public.workshops w where w.id = p_workshop_id) then
		raise exception 'report_unknown_workshop' using errcode = '22023';
	end if;
	if p_venue is not null
		and not exists (select 1 from public.workshops w where w.venue_name = p_venue) then
		raise exception 'report_unknown_venue' using errcode = '22023';
	end if;

	v_from := p_from::timestamp at time zone 'Europe/Berlin';
	v_to := (p_to + 1)::timestamp at time zone 'Europe/Berlin';

	select coalesce(array_agg(w.id), '{}') into v_workshops
	from public.workshops w
	where (p_workshop_id is null or w.id = p_workshop_id)
		and (p_venue is null or w.venue_name = p_venue);

	select coalesce(array_agg(p.id), '{}') into v_pieces
	from public.pieces p
	where p.workshop_id = any (v_workshops)
		and p.submitted_at >= v_from and p.submitted_at < v_to;
	v_n := pg_catalog.cardinality(v_pieces);

	return query
	with raw (pos, sec, itm, val, grp) as (
		select 10, 'workshops', 'held', (
			select count(*)::integer from public.workshops w
			where w.id = any (v_workshops)
				and w.starts_on <= p_to and coalesce(w.ends_on, w.starts_on) >= p_from
		), null::text
		union all
		select 20, 'workshops', 'sessions', (
			select count(*)::integer from (
				select distinct p.workshop_id, (p.created_at at time zone 'Europe/Berlin')::date
				from public.pieces p
				where p.workshop_id = any (v_workshops)
					and p.created_at >= v_from and p.created_at < v_to
			) as days
		), null
		union all
		select 30, 'workshops', 'participants', (
			select count(*)::integer from (
				select p.maker_id from public.pieces p
				where p.workshop_id = any (v_workshops)
					and p.created_at >= v_from and p.created_at < v_to
				union
				select m.user_id from public.workshop_members m
				where m.workshop_id = any (v_workshops)
					and m.joined_at >= v_from and m.joined_at < v_to
			) as people
		), null
		union all
		select 40, 'pieces', 'submitted', v_n, null
		union all
		select 50, 'pieces', 'published', (
			select count(*)::integer from public.pieces p
			where p.id = any (v_pieces) and p.status = 'published'
		), 'published'
		union all
		select 60, 'pieces', 'translated', (
			select count(*)::integer from public.pieces p
			where p.id = any (v_pieces)
				and (select count(*) from public.piece_texts t where t.piece_id = p.id) > 1
		), 'translated'
		union all
		select 80, 'pieces', 'voice_notes', (
			select count(*)::integer from public.piece_voice_notes v
			where v.piece_id = any (v_pieces)
		), 'voice_notes'
		union all
		select 100 + s.ord::integer, 'consent', s.scope::text, (
			select count(*)::integer from public.pieces p
			where p.id = any (v_pieces)
				and exists (
					select 1 from public.consents c
					where c.piece_id = p.id and c.withdrawn_at is null and s.scope = any (c.scopes)
				)
		), 'consent_' || s.scope::text
		from pg_catalog.unnest(pg_catalog.enum_range(null::public.consent_scope))
			with ordinality as s(scope, ord)
	),
	lang_counts as (
		select t.language::text as tag, count(distinct t.piece_id)::integer as pieces
		from public.piece_texts t
		where t.piece_id = any (v_pieces)
		group by t.language
	),
	lang_rows (pos, sec, itm, val) as (
		select 200 + (row_number() over (order by l.pieces desc, l.tag))::integer, 'languages',
			l.tag, l.pieces
		from lang_counts l
		where l.pieces >= threshold
		union all
		select 999, 'languages', '_other', (
			select count(distinct t.piece_id)::integer from public.piece_texts t
			where t.piece_id = any (v_pieces)
				and t.language::text in (select l.tag from lang_counts l where l.pieces < threshold)
		)
		where exists (select 1 from lang_counts l where l.pieces < threshold)
	),
	-- The language group: where only one row is small, its smallest other row goes as well.
	lang_lone as (
		select r.pos from lang_rows r
		where r.val >= threshold
			and (select count(*) from lang_rows s where s.val < threshold) = 1
		order by r.val, r.pos
		limit 1
	),
	marked (pos, sec, itm, val, status) as (
		select r.pos, r.sec, r.itm, r.val,
			case
				when r.val < threshold then 'small'
				-- A figure "of those" and its complement n - c: the few without it count too.
				when r.grp is not null and v_n - r.val < threshold then 'complement'
			end
		from raw r
		union all
		select l.pos, l.sec, l.itm, l.val,
			case
				when l.val < threshold then 'small'
				when l.pos in (select pos from lang_lone) then 'complement'
			end
		from lang_rows l
	)
	select m.pos, m.sec, m.itm, case when m.status is null then m.val end, m.status
	from marked m
	union all
	-- The share of translated pieces, suppressed with its count.
	select 70, 'pieces', 'translated_share',
		case when m.status is null then pg_catalog.round(100.0 * m.val / v_n)::integer end,
		m.status
	from marked m
	where m.sec = 'pieces' and m.itm = 'translated'
	order by 1;
end
$$;

revoke all on function public.funder_report(date, date, uuid, text) from public, anon, authenticated;
grant execute on function public.funder_report(date, date, uuid, text) to authenticated, service_role;

comment on function public.funder_report(date, date, uuid, text) is
	'Staff RPC (moderators, admins): participation figures for a period, small counts suppressed.';
