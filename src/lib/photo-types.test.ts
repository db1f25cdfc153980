import { describe, expect, it } from 'vitest';
import { PHOTO_ACCEPT, mayBePhoto, uploadContentType } from './photo-types.ts';

describe('photo types offered and let through before upload', () => {
	it('offers HEIC and HEIF in the file picker, by type and by extension', () => {
		const accept = PHOTO_ACCEPT.split(',');
		expect(accept).toEqual(
			expect.arrayContaining(['image/*', '.heic', '.heif', 'image/heic', 'image/heif'])
		);
	});

	it('lets iPhone and Android HEIC through, whatever the browser calls them', () => {
		expect(mayBePhoto({ type: 'image/heic', name: 'IMG_0001.HEIC' })).toBe(true);
		expect(mayBePhoto({ type: 'image/heif', name: 'photo.heif' })).toBe(true);
		expect(mayBePhoto({ type: 'image/heic-sequence', name: 'IMG_0002.HEIC' })).toBe(true);
		expect(mayBePhoto({ type: '', name: 'IMG_0003.HEIC' })).toBe(true);
		expect(mayBePhoto({ type: 'application/octet-stream', name: 'IMG_0004.HEIC' })).toBe(true);
		expect(mayBePhoto({ type: 'image/jpeg', name: 'IMG_0005.JPG' })).toBe(true);
	});

	it('still stops what the server refuses anyway', () => {
		expect(mayBePhoto({ type: 'image/gif', name: 'a.gif' })).toBe(false);
		expect(mayBePhoto({ type: 'image/svg+xml', name: 'a.svg' })).toBe(false);
		expect(mayBePhoto({ type: 'application/pdf', name: 'a.heic' })).toBe(false);
		expect(mayBePhoto({ type: 'application/octet-stream', name: 'a.jpg.exe' })).toBe(false);
	});

	it('labels HEIC with a type the originals bucket accepts', () => {
		expect(uploadContentType({ type: '', name: 'IMG_0001.HEIC' })).toBe('image/heic');
		expect(uploadContentType({ type: 'application/octet-stream', name: 'a.heif' })).toBe(
			'image/heif'
		);
		expect(uploadContentType({ type: 'image/heic-sequence', name: 'b.heic' })).toBe('image/heic');
		expect(uploadContentType({ type: 'image/jpeg', name: 'c.heic' })).toBe('image/jpeg');
		expect(uploadContentType({ type: '', name: 'notes.txt' })).toBe('application/octet-stream');
	});
});
