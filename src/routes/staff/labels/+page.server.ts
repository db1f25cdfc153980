import { requireStaff } from '#lib/server/auth.ts';
import {
	MAX_LABEL_LANGUAGES,
	buildLabels,
	loadSourcePieces,
	loadStoryChoices,
	type LabelSource
} from '#lib/server/gallery/labels.ts';
import { loadFacets, loadTextLanguages } from '#lib/server/gallery/queries.ts';
import { isLocale, localizeUrl } from '#lib/paraglide/runtime.js';
import type { PageServerLoad } from './$types';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Everything comes from GET parameters, so a set of labels is a link staff can send around. */
export const load: PageServerLoad = async ({ locals, url }) => {
	await requireStaff();
	const [facets, stories, available] = await Promise.all([
		loadFacets(locals.supabase, locals.locale),
		loadStoryChoices(locals.supabase, locals.locale),
		loadTextLanguages(locals.supabase)
	]);

	const requested = [...new Set(url.searchParams.getAll('lang'))].filter((tag) =>
		LANGUAGE_TAG.test(tag)
	);
	const languages = (requested.length > 0 ? requested : ['de', 'en']).slice(0, MAX_LABEL_LANGUAGES);
	const size: 'a6' | 'a7' = url.searchParams.get('size') === 'a7' ? 'a7' : 'a6';

	const sourceParam = url.searchParams.get('source') ?? '';
	const [kind, slug] = sourceParam.split(':');
	let source: LabelSource | null = null;
	if (kind === 'workshop' && SLUG.test(slug ?? '')) {
		const workshop = facets.workshops.find((w) => w.value === slug);
		if (workshop) source = { kind: 'workshop', id: workshop.id };
	} else if (kind === 'story' && stories.some((s) => s.value === slug)) {
		source = { kind: 'story', slug };
	}

	const pieces = source ? await loadSourcePieces(locals.supabase, locals.locale, source) : [];
	// With `pick`, only the ticked pieces; none of them in this source means all of it.
	const picked = new Set(url.searchParams.getAll('piece').filter((id) => UUID.test(id)));
	const chosen = url.searchParams.has('pick') ? pieces.filter((p) => picked.has(p.id)) : pieces;
	const printed = chosen.length > 0 ? chosen : pieces;

	// The QR code opens the piece in the first label language the site speaks.
	const qrLocale = languages.find((tag) => isLocale(tag)) ?? locals.locale;
	const labels = await buildLabels(
		printed,
		languages,
		(id) => localizeUrl(new URL(`/pieces/${id}`, url.origin), { locale: qrLocale }).href
	);

	return {
		workshops: facets.workshops.map(({ value, label }) => ({ value, label })),
		stories,
		available: [...new Set([...available, ...languages])],
		languages,
		tooMany: requested.length > MAX_LABEL_LANGUAGES,
		size,
		source: source ? sourceParam : '',
		pieces: pieces.map((p) => ({ id: p.id, title: p.shown.title, lang: p.shown.language })),
		printedIds: printed.map((p) => p.id),
		labels,
		kioskHref: source
			? source.kind === 'workshop'
				? `/kiosk/workshop/${slug}`
				: `/kiosk/story/${slug}`
			: null
	};
};
