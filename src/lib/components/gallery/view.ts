import type { GalleryView } from './types';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;
const MAX_QUERY = 200;

/** Reads a gallery view from URL parameters, dropping anything malformed. */
export function parseView(params: URLSearchParams): GalleryView {
	const view: GalleryView = {};
	const workshop = params.get('workshop');
	const theme = params.get('theme');
	const lang = params.get('lang');
	const q = params.get('q')?.trim().slice(0, MAX_QUERY);
	if (workshop && SLUG.test(workshop)) view.workshop = workshop;
	if (theme && SLUG.test(theme)) view.theme = theme;
	if (lang && LANGUAGE_TAG.test(lang)) view.lang = lang;
	if (q) view.q = q;
	return view;
}

/** The view as URL parameters (stable order, so equal views share one URL). */
export function viewParams(view: GalleryView, extra: Record<string, string> = {}): URLSearchParams {
	const params = new URLSearchParams();
	for (const key of ['q', 'workshop', 'theme', 'lang'] as const) {
		const value = view[key];
		if (value) params.set(key, value);
	}
	for (const [key, value] of Object.entries(extra)) params.set(key, value);
	return params;
}

/** `path` with the view's parameters, or bare when the view is the whole gallery. */
export function withView(
	path: string,
	view: GalleryView,
	extra: Record<string, string> = {}
): string {
	const search = viewParams(view, extra).toString();
	return search ? `${path}?${search}` : path;
}
