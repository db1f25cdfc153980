import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as env from '$app/env/private';
import { baseLocale, type Locale } from '#lib/paraglide/runtime.js';
import type { LegalText } from '#lib/legal-text.ts';
import { renderMarkdown } from './markdown';

export type LegalDocument = 'imprint' | 'privacy';

/** Operators edit `content/legal/<document>.<locale>.md`; LEGAL_CONTENT_DIR moves the folder. */
function contentDir(): string {
	return resolve(env.LEGAL_CONTENT_DIR || 'content/legal');
}

async function readIfExists(path: string): Promise<string | undefined> {
	try {
		return await readFile(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
}

/**
 * Loads a legal text in the reader's language, or the German one (the legally binding version)
 * when no translation exists. Read on every request, so an operator's edit shows without restart.
 */
export async function loadLegalText(
	document: LegalDocument,
	locale: Locale,
	dir = contentDir()
): Promise<LegalText> {
	const localized = await readIfExists(resolve(dir, `${document}.${locale}.md`));
	if (localized !== undefined) {
		return { html: renderMarkdown(localized), lang: locale, fallback: false };
	}
	const base = await readIfExists(resolve(dir, `${document}.${baseLocale}.md`));
	if (base === undefined)
		throw new Error(`Missing legal text ${document}.${baseLocale}.md in ${dir}`);
	return { html: renderMarkdown(base), lang: baseLocale, fallback: locale !== baseLocale };
}
