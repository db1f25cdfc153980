import { loadReport } from '#lib/server/report/report.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) =>
	loadReport(locals.supabase, url, locals.locale);
