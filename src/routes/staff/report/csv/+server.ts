import { m } from '#lib/paraglide/messages.js';
import { itemLabel, reportErrorText, sectionLabel, THRESHOLD } from '#lib/report.ts';
import { toCsv } from '#lib/server/report/csv.ts';
import { loadReport } from '#lib/server/report/report.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	const report = await loadReport(locals.supabase, url, locals.locale);
	const headers = { 'cache-control': 'private, no-store' };
	if (report.code) {
		return new Response(reportErrorText(report.code), {
			status: 400,
			headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }
		});
	}
	const { selection } = report;
	const workshop = report.workshops.find((w) => w.id === selection.workshop)?.title;
	const rows: (string | number)[][] = [
		[m.report_section(), m.report_item(), m.report_figure()],
		[m.report_period_label(), m.report_from(), selection.from],
		[m.report_period_label(), m.report_to(), selection.to],
		[m.report_selection_label(), m.report_workshop(), workshop ?? m.report_all_workshops()],
		[m.report_selection_label(), m.report_venue(), selection.venue ?? m.report_all_venues()],
		// Figures as plain numbers (a spreadsheet reads them in any locale); markers as text.
		...report.rows.map((row) => [
			sectionLabel(row.section),
			itemLabel(row, locals.locale) + (row.item === 'translated_share' ? ' (%)' : ''),
			row.figure ??
				(row.suppressed === 'complement'
					? m.report_hidden()
					: m.report_small({ threshold: THRESHOLD }))
		])
	];
	return new Response(toCsv(rows), {
		headers: {
			...headers,
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="report-${selection.from}-${selection.to}.csv"`
		}
	});
};
