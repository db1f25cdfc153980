import { loadReport } from '#lib/server/report/report.ts';
import type { PageServerLoad } from './$types';

// A page to print: server HTML and CSS only, the chart is SVG drawn here.
export const csr = false;

export const load: PageServerLoad = async ({ locals, url }) => ({
	...(await loadReport(locals.supabase, url, locals.locale)),
	createdOn: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date())
});
