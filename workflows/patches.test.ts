import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Patch, PATCHES, type PatchId } from './patches.js';

const workflowsDir = import.meta.dirname;
const historiesDir = path.join(workflowsDir, '..', 'test', 'histories');

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(file)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(file);
  }
  return files;
}

/** The code of a file without its comments (they mention `patched()` in prose). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every `patched(…)` / `deprecatePatch(…)` call in workflows/: its file (relative) and its argument as written. */
async function patchCalls(): Promise<Array<{ file: string; arg: string }>> {
  const calls: Array<{ file: string; arg: string }> = [];
  for (const file of await sourceFiles(workflowsDir)) {
    const code = withoutComments(await readFile(file, 'utf8'));
    for (const match of code.matchAll(/\b(?:patched|deprecatePatch)\(([^)]*)\)/g)) {
      calls.push({ file: path.relative(workflowsDir, file), arg: match[1]!.trim() });
    }
  }
  return calls;
}

/** The patch ids a recorded history carries markers for. */
function markersOf(history: {
  events: Array<{
    markerRecordedEventAttributes?: {
      markerName?: string;
      details?: Record<string, { payloads: Array<{ data: string }> }>;
    };
  }>;
}): Set<string> {
  const ids = new Set<string>();
  for (const event of history.events) {
    const marker = event.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads[0]?.data : undefined;
    if (data) ids.add((JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id);
  }
  return ids;
}

describe('the patch list (workflows/patches.ts)', () => {
  it('every patched() call takes its id from Patch, every listed id is asked, where the list says', async () => {
    const calls = await patchCalls();
    expect(calls.length).toBeGreaterThan(0);
    const byName = new Map(Object.entries(Patch));
    const askedIn = new Map<PatchId, Set<string>>();
    for (const { file, arg } of calls) {
      const name = /^Patch\.(\w+)$/.exec(arg)?.[1];
      expect(
        name !== undefined && byName.has(name),
        `${file}: patched(${arg}) must name an id of workflows/patches.ts (Patch.…)`,
      ).toBe(true);
      const id = byName.get(name!)!;
      askedIn.set(id, (askedIn.get(id) ?? new Set()).add(file));
    }
    expect([...askedIn.keys()].sort()).toEqual(Object.values(Patch).sort());
    for (const [id, files] of askedIn) expect([...files].sort(), id).toEqual([...PATCHES[id].askedIn].sort());
  });

  it('ids are unique, and each record says when it landed', () => {
    const ids = Object.values(Patch);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(PATCHES).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(PATCHES[id].landed, id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(PATCHES[id].commit, id).toMatch(/^[0-9a-f]{7,40}$/);
    }
  });

  it("pinnedBy names recorded histories without the patch's marker; every marker in them is a listed id", async () => {
    const files = (await readdir(historiesDir)).filter((file) => file.endsWith('.json'));
    const markers = new Map<string, Set<string>>();
    for (const file of files)
      markers.set(file, markersOf(JSON.parse(await readFile(path.join(historiesDir, file), 'utf8'))));
    const listed = new Set<string>(Object.values(Patch));
    for (const [file, ids] of markers) for (const id of ids) expect(listed.has(id), `${file} carries ${id}`).toBe(true);
    for (const id of Object.values(Patch)) {
      for (const file of PATCHES[id].pinnedBy) {
        expect(markers.has(file), `${id}: ${file} is not in test/histories/`).toBe(true);
        expect(markers.get(file)!.has(id), `${id}: ${file} carries its marker, so it does not pin it`).toBe(false);
      }
    }
  });
});
