import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root directory (where package.json is), found from this file's place in it. Here rather than in
 * local/ (tool provisioning, which re-exports it) because the worker needs it for its prebuilt bundles, and no
 * production path of the worker imports local/.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
