// Placeholder until the storage service lands.
import type { Service, StackContext } from '../core/http.ts';
export async function createStorageService(_stack: StackContext): Promise<Service> {
	return { prefix: '/storage/v1', handle: async () => false };
}
