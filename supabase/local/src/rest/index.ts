// Placeholder until the rest service lands.
import type { Service, StackContext } from '../core/http.ts';
export async function createRestService(_stack: StackContext): Promise<Service> {
	return { prefix: '/rest/v1', handle: async () => false };
}
