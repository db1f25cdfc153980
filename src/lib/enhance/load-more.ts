/**
 * "Load more" in the gallery: the next-page link (`a[data-load-more]`) fetches that page (a
 * cached public page like any other), appends its cards to the grid in place and moves the link
 * on, announcing how many arrived. The texts come from the link: `data-loading` while it waits,
 * `data-loaded` with `{count}`. Any failure falls back to following the link.
 */
export function enhanceLoadMore(root: Document): void {
	const link = root.querySelector<HTMLAnchorElement>('a[data-load-more]');
	const grid = root.querySelector('[data-gallery-grid]');
	const status = root.querySelector('[data-gallery-status]');
	if (!link || !grid) return;
	const label = link.textContent ?? '';
	let busy = false;
	link.addEventListener('click', (event) => {
		if (busy || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
		event.preventDefault();
		busy = true;
		link.setAttribute('aria-busy', 'true');
		link.textContent = link.dataset.loading ?? label;
		void loadNext(link.href, root).then(
			(page) => {
				grid.append(...page.cards);
				if (page.next) link.href = page.next;
				else link.remove();
				if (status) {
					status.textContent = (link.dataset.loaded ?? '').replace(
						'{count}',
						String(page.cards.length)
					);
				}
				link.textContent = label;
				link.removeAttribute('aria-busy');
				busy = false;
			},
			() => window.location.assign(link.href)
		);
	});
}

async function loadNext(
	href: string,
	root: Document
): Promise<{ cards: Node[]; next: string | null }> {
	const response = await fetch(href, { headers: { accept: 'text/html' } });
	if (!response.ok) throw new Error(String(response.status));
	const page = new DOMParser().parseFromString(await response.text(), 'text/html');
	const grid = page.querySelector('[data-gallery-grid]');
	if (!grid) throw new Error('no gallery grid in the next page');
	const next = page.querySelector<HTMLAnchorElement>('a[data-load-more]');
	return {
		cards: [...grid.children].map((card) => root.adoptNode(card)),
		next: next ? new URL(next.getAttribute('href') ?? '', response.url).href : null
	};
}
