/**
 * A deliberately small Markdown subset for the operator-edited legal texts: headings, paragraphs
 * (a single line break stays a line break, as addresses need), lists, quotes, bold, italic and
 * links (`*italic*`, `**bold**`, `[text](https://…)`). Everything else is escaped, so the output is safe to pass to {@html}.
 */

const SAFE_LINK = /^(https?:\/\/|mailto:|tel:|\/(?!\/)|#)/i;

function escapeHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&#39;');
}

/** Inline markup on already escaped text. */
function renderInline(text: string): string {
	let html = escapeHtml(text);
	html = html.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, href: string) => {
		// href is escaped already; undo only &amp; so the scheme check sees the real URL.
		const raw = href.replaceAll('&amp;', '&');
		return SAFE_LINK.test(raw) ? `<a href="${href}">${label}</a>` : whole;
	});
	html = html.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
	html = html.replace(/(^|[^\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])/g, '$1<em>$2</em>');
	return html;
}

type Block =
	| { kind: 'heading'; level: number; text: string }
	| { kind: 'paragraph'; lines: string[] }
	| { kind: 'list'; ordered: boolean; items: string[] }
	| { kind: 'quote'; lines: string[] };

function parse(source: string): Block[] {
	const blocks: Block[] = [];
	const withoutComments = source.replace(/<!--[\s\S]*?-->/g, '');
	let current: Block | undefined;
	const flush = () => {
		if (current) blocks.push(current);
		current = undefined;
	};

	for (const rawLine of withoutComments.replaceAll('\r\n', '\n').split('\n')) {
		const line = rawLine.trim();
		if (line === '') {
			flush();
			continue;
		}
		const heading = /^(#{1,3})\s+(.*)$/.exec(line);
		const bullet = /^[-*]\s+(.*)$/.exec(line);
		const numbered = /^\d+[.)]\s+(.*)$/.exec(line);
		const quote = /^>\s?(.*)$/.exec(line);
		if (heading) {
			flush();
			blocks.push({ kind: 'heading', level: heading[1].length, text: heading[2] });
		} else if (bullet || numbered) {
			const ordered = Boolean(numbered);
			const text = (bullet ?? numbered)![1];
			if (current?.kind !== 'list' || current.ordered !== ordered) {
				flush();
				current = { kind: 'list', ordered, items: [] };
			}
			current.items.push(text);
		} else if (quote) {
			if (current?.kind !== 'quote') {
				flush();
				current = { kind: 'quote', lines: [] };
			}
			current.lines.push(quote[1]);
		} else if (current?.kind === 'list') {
			// A continuation line belongs to the last item.
			current.items[current.items.length - 1] += ` ${line}`;
		} else {
			if (current?.kind !== 'paragraph') {
				flush();
				current = { kind: 'paragraph', lines: [] };
			}
			current.lines.push(line);
		}
	}
	flush();
	return blocks;
}

/**
 * Renders the Markdown subset to HTML. Headings start at `<h2>` because the page title is the
 * `<h1>`.
 */
export function renderMarkdown(source: string): string {
	return parse(source)
		.map((block) => {
			switch (block.kind) {
				case 'heading': {
					const tag = `h${block.level + 1}`;
					return `<${tag}>${renderInline(block.text)}</${tag}>`;
				}
				case 'paragraph':
					return `<p>${block.lines.map(renderInline).join('<br>')}</p>`;
				case 'list': {
					const tag = block.ordered ? 'ol' : 'ul';
					const items = block.items.map((item) => `<li>${renderInline(item)}</li>`).join('');
					return `<${tag}>${items}</${tag}>`;
				}
				case 'quote':
					return `<blockquote><p>${block.lines.map(renderInline).join('<br>')}</p></blockquote>`;
			}
		})
		.join('\n');
}
