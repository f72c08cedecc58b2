/**
 * Which memory allocator the worker runs on. Under glibc's malloc the worker's native memory (Temporal Core's
 * threads) fragments into arenas that are never given back: with 500 migrations waiting on the shared watcher
 * they held about 150 MiB. jemalloc, preloaded with `LD_PRELOAD`, cuts the worker's RSS per running
 * migration by 25–40% (`npx tsx bench/worker-memory.ts`). The Docker image preloads it; a worker started elsewhere says at
 * start which allocator it runs on and where jemalloc is, if the machine has it.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Where the Docker image links libjemalloc, whatever the architecture (docker/Dockerfile). */
export const IMAGE_JEMALLOC_PATH = '/usr/local/lib/libjemalloc.so.2';

/** Where the image, Debian and Ubuntu put libjemalloc (`apt-get install libjemalloc2`). */
const JEMALLOC_PATHS = [
  IMAGE_JEMALLOC_PATH,
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
];

/** The path of a jemalloc shared library on this machine, if there is one. */
export function findJemalloc(): string | undefined {
  return JEMALLOC_PATHS.find((file) => existsSync(file));
}

export type Allocator = 'jemalloc' | 'glibc malloc' | 'unknown';

/** The allocator this process runs on, from its memory map (Linux); `unknown` elsewhere. */
export function allocatorInUse(): Allocator {
  return allocatorFromMaps(readMaps());
}

/** The allocator a process with memory map `maps` (`/proc/<pid>/maps`) runs on. */
export function allocatorFromMaps(maps: string | undefined): Allocator {
  if (maps === undefined) return 'unknown';
  return /libjemalloc\.so/.test(maps) ? 'jemalloc' : 'glibc malloc';
}

function readMaps(): string | undefined {
  try {
    return readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return undefined;
  }
}
