/**
 * Server entry for stories: validate submitted or stored JSON, read it from a form, render it to
 * HTML. The schema and validator themselves live in `#lib/richtext/index.ts` because the editor uses them too.
 */
export {
	isEmptyStory,
	parseStoryJson,
	storyCharacterCount,
	storyPlainText,
	validateStory,
	type StoryDoc,
	type StoryErrorCode,
	type StoryValidation
} from '#lib/richtext/index.ts';
export { readStoryFormField } from './form';
export { renderStoryHtml, renderStoryJson, type RenderStoryOptions } from './render';
