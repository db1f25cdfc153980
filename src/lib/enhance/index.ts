/**
 * The public reading pages (home, gallery, stories, pieces, legal pages) are rendered on the
 * server only (`csr = false`): a cheap phone draws them without downloading, parsing and
 * hydrating the app. What little they do in the browser is here, as progressive enhancement of
 * the server's HTML: every feature works without it, through links and forms.
 *
 * Built as its own small script (`_app/enhance.js`, see vite.config.ts) and loaded by
 * `PublicScript.svelte`. Each part looks for its markup and does nothing where it is missing.
 */
import { enhanceCopyButtons } from './copy';
import { enhanceLanguage } from './language';
import { enhanceLoadMore } from './load-more';
import { enhanceZoom } from './zoom';

enhanceLanguage(document);
enhanceLoadMore(document);
enhanceZoom(document);
enhanceCopyButtons(document);
