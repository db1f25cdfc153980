import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { m } from '#lib/paraglide/messages.js';
import TextCorrection from '../../../routes/staff/pieces/[id]/TextCorrection.svelte';
import TextFields from './TextFields.svelte';

const photos = [{ id: 'p1' }, { id: 'p2' }];
const text = { title: 'عنوان', caption: 'شرح', story: null };

/** Every field's opening tag, by its `name`. */
function fields(body: string): Map<string, string> {
	const tags = body.match(/<(input|textarea)\b[^>]*>/g) ?? [];
	return new Map(tags.map((tag) => [/name="([^"]+)"/.exec(tag)?.[1] ?? '', tag]));
}

/** The label text that names field `id` through `for`. */
function labelFor(body: string, id: string): string | undefined {
	return new RegExp(`<label[^>]*for="${id}"[^>]*>([^<]*)</label>`).exec(body)?.[1];
}

const id = (tag: string | undefined) => /\bid="([^"]+)"/.exec(tag ?? '')?.[1] ?? '';

describe('the piece text fields, shared by the participant form and staff correction', () => {
	it('participant: labelled fields in the text language and direction, alt hints linked', () => {
		const { body } = render(TextFields, {
			props: {
				language: 'ar',
				original: true,
				text: { ...text, provenance: 'original' },
				photos: photos.map((p) => ({ ...p, alt: { ar: `بديل ${p.id}` } }))
			}
		});
		const byName = fields(body);
		for (const name of ['title', 'caption', 'alt_p1', 'alt_p2', 'story_plain']) {
			expect(byName.get(name), name).toContain('lang="ar"');
			expect(byName.get(name), name).toContain('dir="rtl"');
		}
		expect(byName.get('title')).toMatch(/required/);
		expect(byName.get('title')).toContain('value="عنوان"');
		expect(labelFor(body, id(byName.get('title')))).toBe(m.piece_title_label());
		expect(labelFor(body, id(byName.get('caption')))).toBe(m.piece_caption_label());
		expect(labelFor(body, id(byName.get('alt_p2')))).toBe(m.piece_alt_label({ number: 2 }));
		const hint = /aria-describedby="([^"]+)"/.exec(byName.get('alt_p1')!)?.[1];
		expect(body).toMatch(new RegExp(`<p class="hint[^"]*" id="${hint}">`));
		expect(body).toContain('بديل p1</textarea>');
		expect(byName.get('caption')).toContain('rows="3"');
	});

	it('staff: one form a language, its own labels, no alt hints', () => {
		const { body } = render(TextCorrection, {
			props: {
				texts: [
					{ language: 'uk', ...text, title: 'Рушник' },
					{ language: 'fa', ...text, title: 'حوله' }
				],
				photos: photos.map((p) => ({ id: p.id, altTexts: { fa: `جایگزین ${p.id}` } })),
				form: null
			}
		});
		const forms = body.split('<form').slice(1);
		expect(forms).toHaveLength(2);
		const [uk, fa] = forms.map(fields);
		expect(uk.get('title')).toContain('lang="uk"');
		expect(uk.get('title')).toContain('dir="ltr"');
		expect(fa.get('alt_p2')).toContain('lang="fa"');
		expect(fa.get('alt_p2')).toContain('dir="rtl"');
		expect(fa.get('alt_p2')).not.toContain('aria-describedby');
		expect(id(uk.get('title'))).not.toBe(id(fa.get('title')));
		expect(labelFor(body, id(fa.get('title')))).toBe(m.staff_correct_title());
		expect(labelFor(body, id(fa.get('alt_p1')))).toBe(m.staff_correct_alt({ number: 1 }));
		expect(body).toContain('جایگزین p2</textarea>');
		expect(fa.get('caption')).toContain('rows="2"');
	});
});
