import type { Locale } from '#lib/paraglide/runtime.js';

/** A legal text (imprint, privacy policy) rendered to safe HTML on the server. */
export interface LegalText {
	html: string;
	/** Language of the text shown, which differs from the UI locale when it fell back. */
	lang: Locale;
	fallback: boolean;
}
