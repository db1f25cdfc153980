// Placeholder until the bootstrap lands: creates nothing.
import type { Database } from '../core/db.ts';
export interface PrepareOptions {
	projectDir: string;
	reset: boolean;
	skipSeed: boolean;
	log: (message: string) => void;
}
export async function prepareDatabase(_db: Database, _options: PrepareOptions): Promise<void> {}
