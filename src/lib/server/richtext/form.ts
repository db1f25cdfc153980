import { storyFromPlainText } from '#lib/richtext/plain-text.ts';
import { parseStoryJson, validateStory } from '#lib/richtext/validate.ts';
import { STORY_MAX_JSON_LENGTH, type StoryValidation } from '#lib/richtext/schema.ts';

/**
 * Reads the story a form submitted through `StoryEditor`. With JavaScript the editor posts its JSON
 * as `name`; without it the page shows a textarea posting plain text as `${name}_plain`, which
 * becomes one paragraph per line. A missing field is an empty story.
 */
export function readStoryFormField(form: FormData, name: string): StoryValidation {
	const json = form.get(name);
	if (typeof json === 'string' && json !== '') return parseStoryJson(json);
	if (json !== null && typeof json !== 'string')
		return { ok: false, code: 'story_invalid', path: [] };
	const plain = form.get(`${name}_plain`);
	if (plain === null) return validateStory({ type: 'doc', content: [] });
	if (typeof plain !== 'string') return { ok: false, code: 'story_invalid', path: [] };
	if (plain.length > STORY_MAX_JSON_LENGTH) return { ok: false, code: 'story_too_long', path: [] };
	return validateStory(storyFromPlainText(plain));
}
