-- private.is_language_map and private.is_tag_map were two copies of one check, "a jsonb object
-- whose values are all strings", that differ only in the keys they accept. That difference is
-- deliberate and stays: staff write workshop, theme and story titles, intros and labels once per
-- UI language (de, en, uk, ar, fa), while participants write alt text in any of about forty
-- languages (any BCP 47 tag). The shared part now lives in is_tag_map alone; is_language_map
-- narrows its keys to the UI languages, which are all valid tags, so both accept exactly what
-- they accepted before.
--
-- `create or replace` keeps the function's oid, owner and grants: the check constraints that call
-- it (workshops, themes, stories, story_items) stay as they are and the rows they hold stay valid.
create or replace function private.is_language_map(value jsonb) returns boolean
language sql
immutable
set search_path = ''
as $$
	-- case, not and: the order of and's operands is not fixed, and jsonb_object_keys raises on a
	-- value that is not an object.
	select case
		when not private.is_tag_map(value) then false
		when value is null then true
		else not exists (
			select 1
			from pg_catalog.jsonb_object_keys(value) as k(key)
			where k.key not in ('de', 'en', 'uk', 'ar', 'fa')
		)
	end
$$;

-- Check constraints run with the writer's privileges, and is_language_map now calls is_tag_map
-- as the writer, so the roles that may call the one may call the other (it reads nothing).
grant execute on function private.is_tag_map(jsonb) to anon, authenticated, service_role;
