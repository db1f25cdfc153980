// Localized home pages are `/de/`, `/ar/`, …: the prefix keeps its slash, so never redirect it away.
export const trailingSlash = 'ignore';
