import { error } from '@sveltejs/kit';
import type { SupabaseClient } from '@supabase/supabase-js';
import { requireStaff } from '#lib/server/auth.ts';
import { pickLabel, type LanguageMap } from '#lib/server/gallery/queries.ts';
import type { Database } from '#lib/types/database.types.ts';
import { parseDate } from './dates';
import type { ReportErrorCode, ReportRow, ReportSelection } from '#lib/report.ts';

type Client = SupabaseClient<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Codes the database raises for bad input; anything else is unexpected and thrown. */
const DB_CODES = new Set<string>([
	'report_invalid_date',
	'report_end_before_start',
	'report_period_too_long',
	'report_unknown_workshop',
	'report_unknown_venue'
]);

/** Today in Europe/Berlin, where the workshops are, as `YYYY-MM-DD`. */
function today(): string {
	return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
}

/** Moderators and admins only: facilitators see their workshops, not the project's figures. */
export async function requireReportAccess(): Promise<void> {
	const access = await requireStaff();
	if (!access.isModerator) {
		error(403, { message: 'report_not_allowed', code: 'report_not_allowed' });
	}
}

export interface ReportData {
	project: { name: string; funders: string[]; periodSet: boolean };
	selection: ReportSelection;
	workshops: { id: string; title: string }[];
	venues: string[];
	rows: ReportRow[];
	code: ReportErrorCode | null;
}

/**
 * Reads the selection from the query string (default: the project period from settings, or the
 * current year) and asks the database for the figures. The figures arrive already suppressed:
 * `funder_report` applies the small-count rule, this only passes them on.
 */
export async function loadReport(supabase: Client, url: URL, locale: string): Promise<ReportData> {
	await requireReportAccess();
	const [settings, workshopList] = await Promise.all([
		supabase
			.from('project_settings')
			.select('project_name, funders, period_start, period_end')
			.maybeSingle(),
		supabase
			.from('workshops')
			.select('id, title, venue_name')
			.order('starts_on', { ascending: false })
	]);
	if (settings.error) throw settings.error;
	if (workshopList.error) throw workshopList.error;
	const year = today().slice(0, 4);
	const defaults = {
		from: settings.data?.period_start ?? `${year}-01-01`,
		to: settings.data?.period_end ?? `${year}-12-31`
	};
	const rawFrom = url.searchParams.get('from') || defaults.from;
	const rawTo = url.searchParams.get('to') || defaults.to;
	const workshop = url.searchParams.get('workshop') || null;
	const venue = url.searchParams.get('venue') || null;
	const selection: ReportSelection = { from: rawFrom, to: rawTo, workshop, venue };
	const data: ReportData = {
		project: {
			name: settings.data?.project_name ?? '',
			funders: settings.data?.funders ?? [],
			periodSet: Boolean(settings.data?.period_start)
		},
		selection,
		workshops: workshopList.data.map((w) => ({
			id: w.id,
			title: pickLabel(w.title as LanguageMap, locale)
		})),
		venues: [...new Set(workshopList.data.map((w) => w.venue_name))].sort((a, b) =>
			a.localeCompare(b, locale)
		),
		rows: [],
		code: null
	};
	const from = parseDate(rawFrom);
	const to = parseDate(rawTo);
	if (!from || !to) return { ...data, code: 'report_invalid_date' };
	if (workshop && !UUID.test(workshop)) return { ...data, code: 'report_unknown_workshop' };
	if (venue && venue.length > 200) return { ...data, code: 'report_unknown_venue' };
	const result = await supabase.rpc('funder_report', {
		p_from: from,
		p_to: to,
		p_workshop_id: workshop ?? undefined,
		p_venue: venue ?? undefined
	});
	if (result.error) {
		if (DB_CODES.has(result.error.message)) {
			return { ...data, code: result.error.message as ReportErrorCode };
		}
		throw result.error;
	}
	return {
		...data,
		rows: result.data.map((row) => ({
			section: row.section,
			item: row.item,
			figure: row.figure as number | null,
			suppressed: (row.suppressed as ReportRow['suppressed']) ?? null
		}))
	};
}
