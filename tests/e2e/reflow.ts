/**
 * The reflow checks of reflow.phone.spec.ts, run inside the page in one `page.evaluate`: the page
 * does not scroll sideways (WCAG 1.4.10), no text is cut off inside a box that hides its
 * overflow (1.4.4), every pointer target is at least 24 × 24 CSS px or has room around it (2.5.8)
 * and the main actions are at least 44 × 44. The function is serialised into the page, so it
 * must not use anything from this module's scope.
 */

export interface ReflowOptions {
	/** Doubles the root font size before measuring (and reports text that does not grow). */
	largeText: boolean;
}

/** Each failure as one line: what broke, on which element, with the sizes measured. */
export async function reflowFailures({ largeText }: ReflowOptions): Promise<string[]> {
	// Let a resize reach the page's own code and the fonts load before measuring.
	await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
	await document.fonts.ready;
	const failures: string[] = [];
	const root = document.documentElement;

	function describe(el: Element): string {
		const parts: string[] = [];
		let node: Element | null = el;
		for (let depth = 0; node && node !== document.body && depth < 4; depth++) {
			const classes = [...node.classList].filter((c) => !c.startsWith('svelte-')).slice(0, 3);
			const data = [...node.attributes]
				.filter((a) => a.name.startsWith('data-') && a.name !== 'data-sveltekit-preload-data')
				.map((a) => `[${a.name}]`)
				.slice(0, 2);
			parts.unshift(
				node.localName +
					(node.id ? `#${node.id}` : '') +
					classes.map((c) => `.${c}`).join('') +
					data.join('')
			);
			node = node.parentElement;
		}
		const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
		const label = el.getAttribute('aria-label') ?? el.getAttribute('name') ?? '';
		return `${parts.join(' > ')}${text ? ` "${text}"` : label ? ` [${label}]` : ''}`;
	}

	function rendered(el: Element): boolean {
		const style = getComputedStyle(el);
		return style.visibility !== 'hidden' && el.getClientRects().length > 0;
	}

	/**
	 * The 1 px boxes of `.visually-hidden` text for screen readers: clipped on purpose. A wrapper
	 * with `display: contents` (SvelteKit's root) has no box at all and hides nothing.
	 */
	function visuallyHidden(el: Element): boolean {
		for (let node: Element | null = el; node; node = node.parentElement) {
			if (getComputedStyle(node).display === 'contents') continue;
			const rect = node.getBoundingClientRect();
			if (rect.width <= 1 && rect.height <= 1) return true;
		}
		return false;
	}

	// Text that ignores the reader's text size (sizes in px) is what a 200 % check must catch too.
	const textElements = [...document.body.querySelectorAll('*')].filter(
		(el) =>
			rendered(el) &&
			!visuallyHidden(el) &&
			[...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim())
	);
	const before = new Map(textElements.map((el) => [el, parseFloat(getComputedStyle(el).fontSize)]));
	if (largeText) {
		// Phones' large-text settings scale the text the page sizes relative to the reader's
		// default: rem and em. Doubling the root size is that setting at 200 %.
		root.style.fontSize = '200%';
		for (const el of textElements) {
			const ratio = parseFloat(getComputedStyle(el).fontSize) / before.get(el)!;
			if (ratio < 1.9) {
				failures.push(
					`text does not grow with the text size (×${ratio.toFixed(2)}): ${describe(el)}`
				);
			}
		}
	}

	const viewport = root.clientWidth;
	if (root.scrollWidth > viewport) {
		failures.push(
			`page scrolls sideways: scrollWidth ${root.scrollWidth} > clientWidth ${viewport}; ` +
				`sticking out: ${stickingOut(viewport).join('; ') || 'no single element'}`
		);
	}

	/**
	 * The deepest boxes and runs of text that reach past the page's end edge, the places to look
	 * for the cause: a long word overflows its box while the box itself fits, so text counts on
	 * its own. A page scrolls only towards its end (left in Arabic and Persian), and what sticks
	 * out of a box that clips or scrolls its content does not reach the page.
	 */
	function stickingOut(viewport: number): string[] {
		const rtl = getComputedStyle(root).direction === 'rtl';
		// Positions in the page, not the window: a right-to-left page that overflows may open scrolled.
		const beyond = (rect: DOMRect) =>
			rect.width > 0 && (rtl ? rect.left + scrollX < -0.5 : rect.right + scrollX > viewport + 0.5);
		const contained = (el: Element) => {
			for (let node = el.parentElement; node && node !== root; node = node.parentElement) {
				if (getComputedStyle(node).overflowX !== 'visible') return true;
			}
			return false;
		};
		const found = new Map<Element, DOMRect>();
		const walker = document.createTreeWalker(
			document.body,
			NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT
		);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			let el: Element;
			let rects: DOMRect[];
			if (node.nodeType === Node.TEXT_NODE) {
				if (!node.textContent?.trim() || !node.parentElement) continue;
				el = node.parentElement;
				const range = document.createRange();
				range.selectNodeContents(node);
				rects = [...range.getClientRects()];
			} else {
				el = node as Element;
				rects = [el.getBoundingClientRect()];
			}
			const rect = rects.find(beyond);
			if (rect && !found.has(el) && !visuallyHidden(el) && !contained(el)) found.set(el, rect);
		}
		const deepest = [...found].filter(
			([el]) => ![...found.keys()].some((o) => o !== el && el.contains(o))
		);
		return deepest.slice(0, 6).map(([el, rect]) => {
			const left = Math.round(rect.left + scrollX);
			return `${describe(el)} (${left}…${left + Math.round(rect.width)})`;
		});
	}

	// Form fields scroll their own value and images are no text: only boxes of text can clip it.
	const replaced = new Set([
		'input',
		'select',
		'textarea',
		'img',
		'picture',
		'video',
		'canvas',
		'iframe',
		'svg'
	]);
	for (const el of document.body.querySelectorAll('*')) {
		if (replaced.has(el.localName) || el.closest('svg')) continue;
		const style = getComputedStyle(el);
		if (style.overflowX !== 'hidden' && style.overflowX !== 'clip') continue;
		// One pixel of slack: scroll sizes are rounded to whole pixels, boxes are not.
		if (el.scrollWidth <= el.clientWidth + 1 || !rendered(el) || visuallyHidden(el)) continue;
		if (!el.textContent?.trim()) continue;
		failures.push(
			`text clipped: ${describe(el)} scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`
		);
	}

	// Pointer targets. A checkbox or radio is operated through its label as well, so its target
	// is the box around both; a visually hidden input is operated through its label only.
	const selector = [
		'a[href]',
		'button',
		'input:not([type="hidden"])',
		'select',
		'textarea',
		'summary',
		'[role="button"]',
		'[role="link"]',
		'[role="checkbox"]',
		'[role="radio"]',
		'[role="switch"]',
		'[role="tab"]',
		'[tabindex]:not([tabindex="-1"])'
	].join(',');
	interface Target {
		el: Element;
		rect: { left: number; top: number; right: number; bottom: number };
	}
	const targets: Target[] = [];
	for (const el of document.body.querySelectorAll(selector)) {
		if ((el as HTMLButtonElement).disabled || !rendered(el)) continue;
		const own = el.getBoundingClientRect();
		// The skip link waits above the page until it is focused.
		if (own.bottom + scrollY <= 0) continue;
		const boxes: DOMRect[] = [];
		const input = el as HTMLInputElement;
		const hidden = visuallyHidden(el);
		if (
			el.localName === 'input' &&
			(input.type === 'checkbox' || input.type === 'radio' || input.type === 'file')
		) {
			if (!hidden) boxes.push(own);
			for (const label of input.labels ?? [])
				if (rendered(label)) boxes.push(label.getBoundingClientRect());
		} else if (!hidden) {
			boxes.push(own);
		}
		if (boxes.length === 0) continue;
		targets.push({
			el,
			rect: {
				left: Math.min(...boxes.map((b) => b.left)),
				top: Math.min(...boxes.map((b) => b.top)),
				right: Math.max(...boxes.map((b) => b.right)),
				bottom: Math.max(...boxes.map((b) => b.bottom))
			}
		});
	}
	const width = (t: Target) => t.rect.right - t.rect.left;
	const height = (t: Target) => t.rect.bottom - t.rect.top;
	const size = (t: Target) =>
		`${Math.round(width(t) * 10) / 10}×${Math.round(height(t) * 10) / 10}`;
	const small = (t: Target) => width(t) < 24 - 0.01 || height(t) < 24 - 0.01;
	const center = (t: Target) => ({
		x: (t.rect.left + t.rect.right) / 2,
		y: (t.rect.top + t.rect.bottom) / 2
	});
	// A control and its own label, or a target inside another, are one target.
	const labelled = (a: Element, b: Element) =>
		[...((a as HTMLInputElement).labels ?? [])].some((l) => l.contains(b));
	const related = (a: Element, b: Element) =>
		a.contains(b) || b.contains(a) || labelled(a, b) || labelled(b, a);

	/**
	 * WCAG 2.5.8's inline exception: a link inside a sentence, whose height the line of text sets.
	 * A link alone in its block (a menu item, a card title) is no part of a sentence.
	 */
	function inSentence(el: Element): boolean {
		if (getComputedStyle(el).display !== 'inline') return false;
		let block = el.parentElement;
		while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
		const own = (el.textContent ?? '').trim().length;
		const all = (block?.textContent ?? '').trim().length;
		return all > own + 10;
	}

	for (const target of targets) {
		if (!small(target) || inSentence(target.el)) continue;
		// The spacing exception: a 24 px circle on the target's centre meets no other target and
		// no other small target's circle.
		const c = center(target);
		const crowded = targets.find((other) => {
			if (other === target || related(target.el, other.el)) return false;
			const dx = Math.max(other.rect.left - c.x, 0, c.x - other.rect.right);
			const dy = Math.max(other.rect.top - c.y, 0, c.y - other.rect.bottom);
			if (Math.hypot(dx, dy) < 12) return true;
			if (!small(other)) return false;
			const o = center(other);
			return Math.hypot(o.x - c.x, o.y - c.y) < 24;
		});
		if (crowded) {
			failures.push(
				`target under 24×24 (${size(target)}) and too close to ${describe(crowded.el)}: ${describe(target.el)}`
			);
		}
	}

	// The main actions are the Button component's and anything marked as one.
	for (const target of targets) {
		if (!target.el.matches('.button, [data-main-action]')) continue;
		if (width(target) < 44 - 0.01 || height(target) < 44 - 0.01) {
			failures.push(`main action under 44×44 (${size(target)}): ${describe(target.el)}`);
		}
	}
	return failures;
}
