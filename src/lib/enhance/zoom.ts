/**
 * Zoom and pan into a photo (`[data-zoom]`, rendered by ZoomViewer.svelte): buttons, keyboard
 * (+ − 0 and the arrows on the focused stage), the wheel and a two-finger pinch; one finger pans
 * a zoomed picture. As the picture grows, its `sizes` grows with it, so the browser fetches a
 * wider derivative from the srcset. The controls are hidden until this runs.
 */
const MIN = 1;
const MAX = 8;
const STEP = 1.5;
const PAN = 48;

export function enhanceZoom(root: Document): void {
	for (const viewer of root.querySelectorAll<HTMLElement>('[data-zoom]')) setUp(viewer);
}

function setUp(viewer: HTMLElement): void {
	const stage = viewer.querySelector<HTMLElement>('[data-zoom-stage]');
	const layer = viewer.querySelector<HTMLElement>('[data-zoom-layer]');
	const controls = viewer.querySelector<HTMLElement>('[data-zoom-controls]');
	const output = viewer.querySelector('output');
	const [zoomOut, zoomIn, reset] = viewer.querySelectorAll<HTMLButtonElement>(
		'[data-zoom-controls] button'
	);
	if (!stage || !layer || !controls || !output || !zoomOut || !zoomIn || !reset) return;
	const images = [...layer.querySelectorAll<HTMLImageElement | HTMLSourceElement>('img, source')];
	const template = output.dataset.template ?? '{percent}';

	let scale = 1;
	let x = 0;
	let y = 0;
	// Measured by the ResizeObserver, after layout: reading it here would force one.
	let box = { width: 0, height: 0 };
	const pointers = new Map<number, { x: number; y: number }>();
	let pinch: { distance: number; scale: number } | null = null;

	const clamp = (value: number, limit: number) => Math.max(-limit, Math.min(limit, value));

	function set(nextScale: number, nextX = x, nextY = y): void {
		scale = Math.max(MIN, Math.min(MAX, nextScale));
		x = clamp(nextX, ((scale - 1) * box.width) / 2);
		y = clamp(nextY, ((scale - 1) * box.height) / 2);
		render();
	}

	function render(): void {
		layer!.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
		stage!.classList.toggle('zoomed', scale > 1);
		output!.textContent = template.replace('{percent}', String(Math.round(scale * 100)));
		zoomOut!.disabled = scale <= MIN;
		zoomIn!.disabled = scale >= MAX;
		reset!.disabled = scale === 1;
		// Ask for a derivative as wide as the zoomed picture: the browser fetches it from srcset.
		if (box.width > 0 && scale > 1) {
			const sizes = `${Math.round(box.width * Math.min(scale, 4))}px`;
			for (const image of images) image.sizes = sizes;
		}
	}

	const actions: Record<string, () => void> = {
		'+': () => set(scale * STEP),
		'=': () => set(scale * STEP),
		'-': () => set(scale / STEP),
		'0': () => set(1, 0, 0),
		ArrowLeft: () => set(scale, x + PAN, y),
		ArrowRight: () => set(scale, x - PAN, y),
		ArrowUp: () => set(scale, x, y + PAN),
		ArrowDown: () => set(scale, x, y - PAN)
	};
	stage.addEventListener('keydown', (event) => {
		const action = actions[event.key];
		// Arrows only pan a zoomed picture; otherwise they keep scrolling the page.
		if (!action || (event.key.startsWith('Arrow') && scale === 1)) return;
		event.preventDefault();
		action();
	});
	zoomOut.addEventListener('click', () => set(scale / STEP));
	zoomIn.addEventListener('click', () => set(scale * STEP));
	reset.addEventListener('click', () => set(1, 0, 0));

	stage.addEventListener('pointerdown', (event) => {
		pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
		stage.setPointerCapture(event.pointerId);
		if (pointers.size === 2) {
			const [a, b] = [...pointers.values()];
			pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), scale };
		}
	});
	stage.addEventListener('pointermove', (event) => {
		const last = pointers.get(event.pointerId);
		if (!last) return;
		pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
		if (pointers.size === 2 && pinch) {
			const [a, b] = [...pointers.values()];
			set((pinch.scale * Math.hypot(a.x - b.x, a.y - b.y)) / pinch.distance);
		} else if (pointers.size === 1 && scale > 1) {
			set(scale, x + event.clientX - last.x, y + event.clientY - last.y);
		}
	});
	const release = (event: PointerEvent) => {
		pointers.delete(event.pointerId);
		if (pointers.size < 2) pinch = null;
	};
	stage.addEventListener('pointerup', release);
	stage.addEventListener('pointercancel', release);
	// Not passive: the wheel must not scroll the page while it zooms.
	stage.addEventListener(
		'wheel',
		(event) => {
			if (!event.ctrlKey && scale === 1 && event.deltaY > 0) return;
			event.preventDefault();
			set(scale * Math.exp(-event.deltaY * 0.002));
		},
		{ passive: false }
	);
	new ResizeObserver(([entry]) => {
		if (entry) box = { width: entry.contentRect.width, height: entry.contentRect.height };
	}).observe(stage);

	// A focusable keyboard widget only where it works; without JavaScript it is a plain picture.
	stage.setAttribute('role', 'application');
	stage.setAttribute('aria-roledescription', stage.dataset.roledescription ?? '');
	stage.setAttribute('aria-label', stage.dataset.label ?? '');
	stage.tabIndex = 0;
	controls.hidden = false;
	render();
}
