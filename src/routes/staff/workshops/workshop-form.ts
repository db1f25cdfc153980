import { locales } from '#lib/i18n/locales.ts';

export interface WorkshopValues {
	slug: string;
	title: Record<string, string>;
	description: Record<string, string>;
	venue_name: string;
	venue_address: string;
	starts_on: string;
	ends_on: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function text(form: FormData, name: string): string {
	const value = form.get(name);
	return typeof value === 'string' ? value.trim() : '';
}

/** Reads and checks the workshop form; returns the values and the first error code, if any. */
export function readWorkshopForm(form: FormData): { values: WorkshopValues; code: string | null } {
	const title: Record<string, string> = {};
	const description: Record<string, string> = {};
	for (const locale of locales) {
		const t = text(form, `title_${locale}`).slice(0, 200);
		const d = text(form, `description_${locale}`).slice(0, 4000);
		if (t) title[locale] = t;
		if (d) description[locale] = d;
	}
	const values: WorkshopValues = {
		slug: text(form, 'slug').toLowerCase(),
		title,
		description,
		venue_name: text(form, 'venue_name').slice(0, 200),
		venue_address: text(form, 'venue_address').slice(0, 300),
		starts_on: text(form, 'starts_on'),
		ends_on: text(form, 'ends_on')
	};
	let code: string | null = null;
	if (Object.keys(title).length === 0) code = 'title_required';
	else if (
		!values.venue_name ||
		!DATE.test(values.starts_on) ||
		(values.ends_on && (!DATE.test(values.ends_on) || values.ends_on < values.starts_on))
	) {
		code = 'invalid_input';
	}
	return { values, code };
}

/** The row to write (the slug only on creation: links and posters depend on it). */
export function toRow(values: WorkshopValues) {
	return {
		title: values.title,
		description: values.description,
		venue_name: values.venue_name,
		venue_address: values.venue_address || null,
		starts_on: values.starts_on,
		ends_on: values.ends_on || null
	};
}
