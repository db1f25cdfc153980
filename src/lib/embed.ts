/** Whether a route id belongs to the embed pages (src/routes/embed), which other sites frame. */
export function isEmbedRoute(routeId: string | null | undefined): boolean {
	return routeId === '/embed' || (routeId?.startsWith('/embed/') ?? false);
}

/**
 * The oEmbed discovery link's href for the page at `pageUrl` (oEmbed §4), absolute because
 * consumers such as WordPress fetch it from their own server.
 */
export function oembedDiscoveryHref(origin: string, pageUrl: string): string {
	return `${origin}/oembed?url=${encodeURIComponent(pageUrl)}&format=json`;
}
