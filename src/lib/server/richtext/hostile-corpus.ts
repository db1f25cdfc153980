/**
 * Hostile inputs for the story pipeline (checklist D 32-34), shared by the unit tests here and by
 * any whole-system test that posts stories straight to the API.
 */

/** Link targets that must never be stored or rendered as links. */
export const HOSTILE_HREFS: readonly string[] = [
	'javascript:alert(1)',
	'JaVaScRiPt:alert(1)',
	'java\tscript:alert(1)',
	'java\nscript:alert(1)',
	'java\rscript:alert(1)',
	' javascript:alert(1)',
	'\u0000javascript:alert(1)',
	'\u001fjavascript:alert(1)',
	'\ufeffjavascript:alert(1)',
	'&#106;avascript:alert(1)',
	'&#x6A;avascript:alert(1)',
	'javascript&colon;alert(1)',
	'%6Aavascript:alert(1)',
	'javascript://example.org/%0Aalert(1)',
	'data:text/html,<script>alert(1)</script>',
	'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
	'DATA:image/svg+xml,<svg onload=alert(1)>',
	'vbscript:msgbox(1)',
	'VBScript:msgbox(1)',
	'file:///etc/passwd',
	'blob:https://example.org/uuid',
	'//evil.example/',
	'/\\evil.example',
	'https://example.org" onmouseover="alert(1)',
	"https://example.org' onmouseover='alert(1)",
	'https://bank.example@evil.example/',
	'https://example.org/\u202egpj.exe'
];

/**
 * Valid web addresses holding quote and angle-bracket characters: they may be stored, and the
 * renderer must keep them inside the attribute value.
 */
export const ATTRIBUTE_BREAKOUT_HREFS: readonly string[] = [
	'https://example.org/"onmouseover="alert(1)',
	"https://example.org/'onmouseover='alert(1)",
	'https://example.org/?q="><script>alert(1)</script>',
	'https://example.org/#"><img/src/onerror=alert(1)>',
	'mailto:a@example.org?subject="><svg/onload=alert(1)>',
	'https://example.org/&quot;&gt;&lt;script&gt;'
];

/** Text that looks like markup; it must come out as visible, inert text. */
export const HOSTILE_TEXTS: readonly string[] = [
	'<img src=x onerror=alert(1)>',
	'<script>alert(1)</script>',
	'</p><script>alert(1)</script><p>',
	'<svg onload=alert(1)>',
	'<a href="javascript:alert(1)">click</a>',
	'<iframe src="javascript:alert(1)"></iframe>',
	'"><img src=x onerror=alert(1)>',
	"'><img src=x onerror=alert(1)>",
	'&lt;script&gt;alert(1)&lt;/script&gt;',
	'&#60;script&#62;alert(1)&#60;/script&#62;',
	'<!--<img src=x onerror=alert(1)>-->',
	'<style>*{background:url(javascript:alert(1))}</style>',
	'{{constructor.constructor("alert(1)")()}}',
	'${alert(1)}'
];

/**
 * Mutation-XSS payloads that bypassed DOMPurify. The server parses no HTML, so they cannot mutate;
 * they are here to prove they come out as escaped text.
 */
export const MXSS_PAYLOADS: Readonly<Record<string, string>> = {
	// CVE-2024-47875 (GHSA-gx9m-whjm-85jf), nesting-based mXSS against DOMPurify < 3.1.3, by icesfont.
	'CVE-2024-47875': `${'<div>'.repeat(506)}<table id="outer"><caption id="outer"><svg><desc><table id="inner"><caption id="inner"></caption></table></desc><style><a title="</style><img src onerror=alert(1)>"></a></style></svg></caption></table>${'</div>'.repeat(506)}`,
	// CVE-2025-26791, template-literal regex with SAFE_FOR_TEMPLATES in DOMPurify < 3.2.4.
	'CVE-2025-26791': `<math><foo-test><mi><li><table><foo-test><li></li></foo-test><a><style><! \${ </style>}<foo-b id="><img src onerror='alert(1)'>">hmm...</foo-b></a></table></li></mi></foo-test></math>`,
	// Namespace-confusion predecessors from the same family (DOMPurify 2.0.0, 3.1.7, 3.2.1).
	'DOMPurify-2.0.0': '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
	'DOMPurify-3.1.7':
		'<svg><a><foreignobject><a><table><a></table><style><!--</style></svg><a id="-><img src onerror=alert(1)>">.',
	'DOMPurify-3.2.1':
		'<math><foo-test><mi><li><table><foo-test><li></li></foo-test>a<a><style><!--</style>a<foo-bar is="--><img src=x onerror=alert(1)>">'
};

/** Node types a story must not contain, as tiptap or a hand-written request might send them. */
export const FOREIGN_NODES: readonly unknown[] = [
	{ type: 'image', attrs: { src: 'x', onerror: 'alert(1)' } },
	{ type: 'iframe', attrs: { src: 'javascript:alert(1)' } },
	{ type: 'codeBlock', content: [{ type: 'text', text: 'alert(1)' }] },
	{ type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'h' }] },
	{ type: 'blockquote', content: [{ type: 'paragraph' }] },
	{ type: 'horizontalRule' },
	{ type: 'html', text: '<script>alert(1)</script>' },
	{ type: 'script', text: 'alert(1)' },
	{ type: 'PARAGRAPH' },
	{ type: 'paragraph ' }
];

/** Marks a story must not contain. */
export const FOREIGN_MARKS: readonly unknown[] = [
	{ type: 'code' },
	{ type: 'strike' },
	{ type: 'underline' },
	{ type: 'highlight', attrs: { color: 'red' } },
	{ type: 'textStyle', attrs: { style: 'background:url(javascript:alert(1))' } },
	{ type: 'Bold' },
	{ type: 'link ', attrs: { href: 'https://example.org' } }
];

/** Attributes that must be refused wherever they appear. */
export const FOREIGN_ATTRS: Readonly<Record<string, unknown>> = {
	onerror: 'alert(1)',
	onclick: 'alert(1)',
	style: 'background:url(javascript:alert(1))',
	class: 'admin',
	id: 'login',
	target: '_self',
	rel: 'opener',
	title: '<script>',
	src: 'x'
};
