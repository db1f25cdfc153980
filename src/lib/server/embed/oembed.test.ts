import { describe, expect, it } from 'vitest';
import type { GalleryPhoto } from '#lib/components/gallery/types.ts';
import { oembedViolations } from '../../../../tests/helpers/oembed-spec.ts';
import {
	DEFAULT_SIZES,
	embedPageUrl,
	embedTargetOf,
	frameSize,
	iframeHtml,
	oembedResponse,
	parseLimits,
	thumbnailOf
} from './oembed';

const ORIGIN = 'https://galerie.example.org';
const PIECE = '20000000-0000-4000-8000-000000000001';

const photo: GalleryPhoto = {
	id: 'p',
	role: 'front',
	width: 1600,
	height: 1200,
	placeholder: null,
	dominantColor: null,
	alt: null,
	sources: [],
	src: `${ORIGIN}/w480.jpg`,
	srcset: `${ORIGIN}/w480.jpg 480w, ${ORIGIN}/w960.jpg 960w, ${ORIGIN}/w1600.jpg 1600w`,
	largest: `${ORIGIN}/w1600.jpg`
};

function params(query: string) {
	return new URLSearchParams(query);
}

describe('embedTargetOf', () => {
	it('names pieces, stories, embed pages and workshop galleries of this origin', () => {
		expect(embedTargetOf(`${ORIGIN}/ar/pieces/${PIECE}`, ORIGIN)).toEqual({
			kind: 'piece',
			key: PIECE,
			locale: 'ar'
		});
		expect(embedTargetOf(`${ORIGIN}/pieces/${PIECE}?story=x`, ORIGIN)).toEqual({
			kind: 'piece',
			key: PIECE,
			locale: null
		});
		expect(embedTargetOf(`${ORIGIN}/uk/stories/zuhause-ist-ein-verb/`, ORIGIN)).toEqual({
			kind: 'story',
			key: 'zuhause-ist-ein-verb',
			locale: 'uk'
		});
		expect(embedTargetOf(`${ORIGIN}/embed/story/zuhause?lang=fa`, ORIGIN)).toEqual({
			kind: 'story',
			key: 'zuhause',
			locale: 'fa'
		});
		expect(embedTargetOf(`${ORIGIN}/en/gallery?workshop=stichwerk-neustadt`, ORIGIN)).toEqual({
			kind: 'workshop',
			key: 'stichwerk-neustadt',
			locale: 'en'
		});
	});

	it('names nothing on another origin, another page or a filtered gallery', () => {
		expect(embedTargetOf(`https://evil.example/de/pieces/${PIECE}`, ORIGIN)).toBeNull();
		expect(embedTargetOf(`http://galerie.example.org/de/pieces/${PIECE}`, ORIGIN)).toBeNull();
		expect(embedTargetOf(`https://x@galerie.example.org/de/pieces/${PIECE}`, ORIGIN)).toBeNull();
		expect(embedTargetOf(`${ORIGIN}/de/about`, ORIGIN)).toBeNull();
		expect(embedTargetOf(`${ORIGIN}/de/pieces/${PIECE}/share.jpg`, ORIGIN)).toBeNull();
		expect(embedTargetOf(`${ORIGIN}/de/gallery?workshop=a&q=b`, ORIGIN)).toBeNull();
		expect(embedTargetOf(`${ORIGIN}/de/gallery`, ORIGIN)).toBeNull();
		expect(embedTargetOf('not a url', ORIGIN)).toBeNull();
		expect(embedTargetOf(`${ORIGIN}/de/pieces/%E0%A4%A`, ORIGIN)).toBeNull();
	});
});

describe('limits and sizes', () => {
	it('reads maxwidth and maxheight as positive whole numbers, or names the bad one', () => {
		expect(parseLimits(params(''))).toEqual({ maxwidth: null, maxheight: null });
		expect(parseLimits(params('maxwidth=300&maxheight=200'))).toEqual({
			maxwidth: 300,
			maxheight: 200
		});
		for (const bad of ['0', '-5', '12.5', 'wide', '1e3', '999999']) {
			expect(parseLimits(params(`maxwidth=${bad}`))).toEqual({ invalid: 'maxwidth' });
			expect(parseLimits(params(`maxheight=${bad}`))).toEqual({ invalid: 'maxheight' });
		}
	});

	it('keeps the frame within the limits and at its default size without them', () => {
		expect(frameSize('piece', { maxwidth: null, maxheight: null })).toEqual(DEFAULT_SIZES.piece);
		expect(frameSize('story', { maxwidth: 300, maxheight: null })).toEqual({
			width: 300,
			height: DEFAULT_SIZES.story.height
		});
		expect(frameSize('workshop', { maxwidth: 5000, maxheight: 120 })).toEqual({
			width: DEFAULT_SIZES.workshop.width,
			height: 120
		});
	});

	it('picks the largest published derivative within the limits as the thumbnail', () => {
		expect(thumbnailOf(photo, { maxwidth: null, maxheight: null })).toEqual({
			url: `${ORIGIN}/w1600.jpg`,
			width: 1600,
			height: 1200
		});
		expect(thumbnailOf(photo, { maxwidth: 1000, maxheight: null })).toEqual({
			url: `${ORIGIN}/w960.jpg`,
			width: 960,
			height: 720
		});
		expect(thumbnailOf(photo, { maxwidth: null, maxheight: 400 })).toEqual({
			url: `${ORIGIN}/w480.jpg`,
			width: 480,
			height: 360
		});
		expect(thumbnailOf(photo, { maxwidth: 100, maxheight: null })).toBeNull();
		expect(thumbnailOf({ ...photo, srcset: '' }, { maxwidth: null, maxheight: null })).toBeNull();
		expect(thumbnailOf(undefined, { maxwidth: null, maxheight: null })).toBeNull();
	});
});

describe('the oEmbed response', () => {
	const base = {
		embedUrl: embedPageUrl(ORIGIN, 'piece', PIECE, 'ar'),
		title: 'يدان',
		authorName: 'Rasha',
		providerName: 'Verbindende Fäden',
		providerUrl: `${ORIGIN}/`
	};

	it('is a valid rich response within maxwidth/maxheight, thumbnail included', () => {
		const limits = { maxwidth: 500, maxheight: 500 };
		const size = frameSize('piece', limits);
		const response = oembedResponse({ ...base, size, thumbnail: thumbnailOf(photo, limits) });
		expect(oembedViolations(response, { maxwidth: 500, maxheight: 500 })).toEqual([]);
		expect(response).toMatchObject({
			type: 'rich',
			version: '1.0',
			width: DEFAULT_SIZES.piece.width,
			height: 500,
			title: 'يدان',
			author_name: 'Rasha',
			provider_url: `${ORIGIN}/`,
			thumbnail_url: `${ORIGIN}/w480.jpg`,
			thumbnail_width: 480,
			thumbnail_height: 360
		});
		expect(response.html).toContain(`src="${ORIGIN}/ar/embed/piece/${PIECE}"`);
	});

	it('leaves out the thumbnail triple and the author together when there are none', () => {
		const response = oembedResponse({
			...base,
			authorName: null,
			size: DEFAULT_SIZES.story,
			thumbnail: null
		});
		expect(oembedViolations(response)).toEqual([]);
		expect(Object.keys(response)).not.toContain('thumbnail_url');
		expect(Object.keys(response)).not.toContain('thumbnail_width');
		expect(Object.keys(response)).not.toContain('author_name');
	});

	it('frames the embed page with the sizes it states, escaping the title', () => {
		const html = iframeHtml(
			`${ORIGIN}/embed/story/a?x=1&y=2`,
			{ width: 300, height: 200 },
			'A "B" <C>'
		);
		expect(html).toBe(
			`<iframe src="${ORIGIN}/embed/story/a?x=1&amp;y=2" width="300" height="200" title="A &quot;B&quot; &lt;C&gt;" frameborder="0"></iframe>`
		);
		expect(embedPageUrl(ORIGIN, 'story', 'zuhause', null)).toBe(`${ORIGIN}/embed/story/zuhause`);
	});

	it('the checker itself refuses what the spec forbids', () => {
		expect(oembedViolations({ type: 'rich', version: '1.0', html: '<i></i>', width: 1 })).toContain(
			'height must be a positive integer'
		);
		expect(
			oembedViolations({
				type: 'rich',
				version: '1',
				html: 'x',
				width: 10,
				height: 10,
				thumbnail_url: `${ORIGIN}/a.jpg`
			})
		).toEqual([
			'version is "1", must be "1.0"',
			'thumbnail fields come together, got only thumbnail_url'
		]);
		expect(
			oembedViolations(
				{ type: 'rich', version: '1.0', html: 'x', width: 500, height: 10 },
				{ maxwidth: 400 }
			)
		).toEqual(['width 500 > maxwidth 400']);
	});
});
