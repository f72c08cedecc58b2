/**
 * Writes generated files, or with `--check` only says which are out of date (exit 1). Shared by the generators
 * (`generate-input-reference.ts`, `generate-output-schemas.ts`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../local/tools.js';

/** Writes each file (path relative to the project root) whose content differs; returns the exit code. */
export async function writeGenerated(files: Record<string, string>, command: string, check: boolean): Promise<number> {
  let stale = 0;
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(projectRoot, file);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === content) {
      console.log(`${file}: up to date`);
    } else if (check) {
      stale += 1;
      console.error(`${file}: out of date; run ${command}`);
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
      console.log(`${file}: written`);
    }
  }
  return stale > 0 ? 1 : 0;
}
