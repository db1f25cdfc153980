/**
 * Stable codes for every way an upload can be refused. The UI maps them to translated messages
 * (message keys are the same snake_case strings), so they must never change meaning.
 */
export const IMAGE_ERROR_CODES = [
	/** Not a JPEG, PNG, WebP, AVIF or HEIC by its content (HTML, PHP, SVG, TIFF, GIF, PDF, …). */
	'image_unsupported_type',
	/**
	 * A HEIF file in a codec neither decoder has (AV1 and HEVC are decoded; JPEG, AVC or VVC inside
	 * HEIF are not); suggest "Most Compatible".
	 */
	'image_heic_unsupported',
	/** Width × height above the documented pixel limit, refused from the header before decoding. */
	'image_too_many_pixels',
	/** The file is bigger than the byte limit. */
	'image_too_large_bytes',
	/** Too small to show in the gallery. */
	'image_too_small',
	/** Truncated or damaged pixel data, or a header that does not parse. */
	'image_corrupt',
	/** Too many uploads are waiting; try again shortly. */
	'image_busy'
] as const;

export type ImageErrorCode = (typeof IMAGE_ERROR_CODES)[number];

/** An expected refusal of an input image, carrying a code the UI can translate. */
export class ImageError extends Error {
	readonly code: ImageErrorCode;

	constructor(code: ImageErrorCode, message?: string, options?: { cause?: unknown }) {
		super(message ?? code, options);
		this.name = 'ImageError';
		this.code = code;
	}
}

/** True for an {@link ImageError}, also across module copies (e.g. vite SSR and tsx). */
export function isImageError(error: unknown): error is ImageError {
	return (
		error instanceof ImageError ||
		(error instanceof Error &&
			error.name === 'ImageError' &&
			(IMAGE_ERROR_CODES as readonly string[]).includes((error as ImageError).code))
	);
}
