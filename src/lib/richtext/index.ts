export * from './schema';
export { isAllowedHref, normalizeHrefInput } from './link';
export {
	isEmptyStory,
	storyCharacterCount,
	storyFromPlainText,
	storyPlainText
} from './plain-text';
export { parseStoryJson, validateStory } from './validate';
