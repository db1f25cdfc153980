/**
 * The funder report's figures as the database returns them (already suppressed) and their
 * labels and formatting, shared by the page, the print view and the CSV download.
 */
import { m } from '#lib/paraglide/messages.js';
import { languageNameIn } from '#lib/languages.ts';

/** Below this, a figure is never shown (the database's rule; repeated here only for the text). */
export const THRESHOLD = 5;

export type Suppression = 'small' | 'complement' | null;

export interface ReportRow {
	section: string;
	item: string;
	figure: number | null;
	suppressed: Suppression;
}

export interface ReportSelection {
	from: string;
	to: string;
	workshop: string | null;
	venue: string | null;
}

export type ReportErrorCode =
	| 'report_invalid_date'
	| 'report_end_before_start'
	| 'report_period_too_long'
	| 'report_unknown_workshop'
	| 'report_unknown_venue';

export const SECTIONS = ['workshops', 'pieces', 'consent', 'languages'] as const;

/** The section's heading. */
export function sectionLabel(section: string): string {
	switch (section) {
		case 'workshops':
			return m.report_section_workshops();
		case 'pieces':
			return m.report_section_pieces();
		case 'consent':
			return m.report_section_consent();
		default:
			return m.report_section_languages();
	}
}

const ITEM_LABELS: Record<string, () => string> = {
	'workshops.held': m.report_item_workshops_held,
	'workshops.sessions': m.report_item_workshops_sessions,
	'workshops.participants': m.report_item_workshops_participants,
	'pieces.submitted': m.report_item_pieces_submitted,
	'pieces.published': m.report_item_pieces_published,
	'pieces.translated': m.report_item_pieces_translated,
	'pieces.translated_share': m.report_item_pieces_translated_share,
	'pieces.voice_notes': m.report_item_pieces_voice_notes,
	'consent.online_gallery': m.report_item_consent_online_gallery,
	'consent.print_exhibition': m.report_item_consent_print_exhibition,
	'consent.social_media': m.report_item_consent_social_media,
	'languages._other': m.report_language_other
};

/** The row's label; a language by its name in the reader's language, with its tag. */
export function itemLabel(row: Pick<ReportRow, 'section' | 'item'>, locale: string): string {
	const label = ITEM_LABELS[`${row.section}.${row.item}`];
	if (label) return label();
	if (row.section === 'languages') return `${languageNameIn(row.item, locale)} (${row.item})`;
	return row.item;
}

/** The figure as shown: a number or percentage in the locale's digits, or the marker. */
export function formatFigure(row: ReportRow, locale: string): string {
	if (row.suppressed === 'small' || (row.figure === null && row.suppressed !== 'complement')) {
		return m.report_small({ threshold: new Intl.NumberFormat(locale).format(THRESHOLD) });
	}
	if (row.suppressed === 'complement' || row.figure === null) return m.report_hidden();
	if (row.item === 'translated_share') {
		return new Intl.NumberFormat(locale, { style: 'percent' }).format(row.figure / 100);
	}
	return new Intl.NumberFormat(locale).format(row.figure);
}

/** A calendar date (`YYYY-MM-DD`) in the locale's long form, Gregorian like the date inputs. */
export function formatDay(day: string, locale: string): string {
	const date = new Date(`${day}T00:00:00Z`);
	if (Number.isNaN(date.getTime())) return day;
	return new Intl.DateTimeFormat(locale, {
		dateStyle: 'long',
		timeZone: 'UTC',
		calendar: 'gregory'
	}).format(date);
}

/** The translated message for an error code. */
export function reportErrorText(code: ReportErrorCode): string {
	switch (code) {
		case 'report_invalid_date':
			return m.report_error_invalid_date();
		case 'report_end_before_start':
			return m.report_error_end_before_start();
		case 'report_period_too_long':
			return m.report_error_period_too_long();
		case 'report_unknown_workshop':
			return m.report_error_unknown_workshop();
		case 'report_unknown_venue':
			return m.report_error_unknown_venue();
	}
}

/** The rows of one section, in the database's order. */
export function rowsOf(rows: readonly ReportRow[], section: string): ReportRow[] {
	return rows.filter((row) => row.section === section);
}

/** Query string of a selection, for the CSV and print links. */
export function selectionQuery(selection: ReportSelection): string {
	const params = new URLSearchParams({ from: selection.from, to: selection.to });
	if (selection.workshop) params.set('workshop', selection.workshop);
	if (selection.venue) params.set('venue', selection.venue);
	return params.toString();
}
