/**
 * The zoom against the markup the real ZoomViewer.svelte renders on the server: the data
 * attributes are the contract between the two. A node test (so svelte/server renders), with
 * vitest's jsdom environment set up by hand for the browser side.
 */
import { render } from 'svelte/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinEnvironments } from 'vitest/runtime';
import ZoomViewer from '#lib/components/gallery/ZoomViewer.svelte';
import type { GalleryPhoto } from '#lib/components/gallery/types.ts';
import { m } from '#lib/paraglide/messages.js';
import { enhanceZoom } from './zoom';

const photo: GalleryPhoto = {
	id: 'p1',
	role: 'front',
	width: 2000,
	height: 1500,
	placeholder: null,
	dominantColor: '#981818',
	alt: { text: 'Stickerei', lang: 'de' },
	sources: [{ type: 'image/avif', srcset: '/a-480.avif 480w, /a-960.avif 960w' }],
	src: '/a-960.jpg',
	srcset: '/a-480.jpg 480w, /a-960.jpg 960w',
	largest: '/a-1920.jpg'
};

/**
 * The layer's transform with both translate lengths written out: jsdom (from 31) serializes
 * `translate(0px, 0px)` as `translate(0px)`, as CSSOM allows when the second length is zero.
 */
function transformOf(layer: HTMLElement): string {
	return layer.style.transform.replace(/translate\(([^,)]+)\)/, 'translate($1, 0px)');
}

let environment: Awaited<ReturnType<typeof builtinEnvironments.jsdom.setup>>;

beforeAll(async () => {
	environment = await builtinEnvironments.jsdom.setup(globalThis, {});
	// jsdom has no layout and no ResizeObserver: this one reports a 400 × 300 px stage at once.
	globalThis.ResizeObserver = class {
		constructor(private readonly callback: ResizeObserverCallback) {}
		observe() {
			this.callback(
				[{ contentRect: { width: 400, height: 300 } } as ResizeObserverEntry],
				this as unknown as ResizeObserver
			);
		}
		unobserve() {}
		disconnect() {}
	} as unknown as typeof ResizeObserver;
});
afterAll(() => environment.teardown(globalThis));

function key(target: Element, name: string): KeyboardEvent {
	const event = new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true });
	target.dispatchEvent(event);
	return event;
}

describe('zoom', () => {
	function mountViewer(): HTMLElement {
		const html = render(ZoomViewer, {
			props: { photo, fallbackAlt: 'Foto', priority: true }
		}).body;
		document.body.innerHTML = html;
		return document.querySelector<HTMLElement>('[data-zoom-stage]')!;
	}

	it('without the script the photo is a plain picture and the controls are hidden', () => {
		const stage = mountViewer();
		expect(stage.getAttribute('role')).toBeNull();
		expect(stage.hasAttribute('tabindex')).toBe(false);
		expect(document.querySelector<HTMLElement>('[data-zoom-controls]')!.hidden).toBe(true);
	});

	it('turns the stage into a keyboard widget: + − 0 and arrows, with the level announced', () => {
		const stage = mountViewer();
		enhanceZoom(document);
		const output = document.querySelector('output')!;
		const layer = document.querySelector<HTMLElement>('[data-zoom-layer]')!;
		const [zoomOut, zoomIn, reset] = document.querySelectorAll('button');
		expect(stage.getAttribute('role')).toBe('application');
		expect(stage.getAttribute('aria-roledescription')).toBe(m.gallery_zoom_label());
		expect(stage.tabIndex).toBe(0);
		expect(document.querySelector<HTMLElement>('[data-zoom-controls]')!.hidden).toBe(false);
		expect(output.textContent).toBe(m.gallery_zoom_level({ percent: 100 }));
		expect([zoomOut.disabled, zoomIn.disabled, reset.disabled]).toEqual([true, false, true]);

		// At 100 % the arrows keep scrolling the page.
		expect(key(stage, 'ArrowLeft').defaultPrevented).toBe(false);
		expect(key(stage, '+').defaultPrevented).toBe(true);
		expect(output.textContent).toBe(m.gallery_zoom_level({ percent: 150 }));
		key(stage, '+');
		expect(output.textContent).toBe(m.gallery_zoom_level({ percent: 225 }));
		expect(transformOf(layer)).toBe('translate(0px, 0px) scale(2.25)');
		// A wider derivative is asked for, on every source.
		for (const image of document.querySelectorAll('img, source')) {
			expect(image.getAttribute('sizes')).toBe('900px');
		}
		key(stage, 'ArrowLeft');
		expect(transformOf(layer)).toBe('translate(48px, 0px) scale(2.25)');
		expect(stage.classList.contains('zoomed')).toBe(true);
		key(stage, '0');
		expect(transformOf(layer)).toBe('translate(0px, 0px) scale(1)');
		zoomIn.click();
		expect(output.textContent).toBe(m.gallery_zoom_level({ percent: 150 }));
		zoomOut.click();
		expect(output.textContent).toBe(m.gallery_zoom_level({ percent: 100 }));
	});

	it('never zooms beyond 800 % or pans the picture out of its frame', () => {
		const stage = mountViewer();
		enhanceZoom(document);
		for (let i = 0; i < 10; i++) key(stage, '+');
		expect(document.querySelector('output')!.textContent).toBe(
			m.gallery_zoom_level({ percent: 800 })
		);
		for (let i = 0; i < 100; i++) key(stage, 'ArrowUp');
		// (8 − 1) × 300 px / 2: the edge of the picture stays at the edge of the frame.
		expect(transformOf(document.querySelector<HTMLElement>('[data-zoom-layer]')!)).toBe(
			'translate(0px, 1050px) scale(8)'
		);
	});
});
