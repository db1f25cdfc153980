import { parseDate } from './dates';

export interface ProjectValues {
	project_name: string;
	funders: string[];
	period_start: string | null;
	period_end: string | null;
}

/**
 * The admin's project form: a name, funders one per line (at most ten), and the project period
 * as both dates or neither. Null when anything is out of bounds; the table's checks agree.
 */
export function readProjectForm(form: FormData): ProjectValues | null {
	const text = (name: string) => {
		const value = form.get(name);
		return typeof value === 'string' ? value.trim() : '';
	};
	const name = text('project_name');
	const funders = text('funders')
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter(Boolean);
	const start = text('period_start');
	const end = text('period_end');
	if (name.length < 1 || name.length > 200) return null;
	if (funders.length > 10 || funders.some((funder) => funder.length > 200)) return null;
	if (!start && !end) return { project_name: name, funders, period_start: null, period_end: null };
	const from = parseDate(start);
	const to = parseDate(end);
	if (!from || !to || to < from) return null;
	return { project_name: name, funders, period_start: from, period_end: to };
}
