export { IMAGE_ERROR_CODES, ImageError, isImageError, type ImageErrorCode } from './errors.ts';
export {
	processImage,
	imageQueueStatus,
	type ProcessImageOptions,
	type ProcessedImage,
	type Derivative
} from './pipeline.ts';
export {
	DERIVATIVE_FORMATS,
	DERIVATIVE_WIDTHS,
	LIMIT_INPUT_PIXELS,
	MASTER_MAX_EDGE,
	MAX_INPUT_BYTES,
	type DerivativeFormat
} from './config.ts';
export {
	generateTextileImage,
	DEFAULT_TEXTILE_PALETTE,
	type TextileImageOptions
} from './generate.ts';
