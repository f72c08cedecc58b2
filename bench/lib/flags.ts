/** The benchmarks' command-line flags: `--name value`, and the worker allocator they may choose. */

/** The value after `--name`, or `fallback` when the flag is absent. */
export function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** The worker's allocator in a benchmark: jemalloc (preloaded, as the Docker image runs it) or glibc's malloc. */
export type BenchAllocator = 'jemalloc' | 'glibc';

/** Checks one allocator name given to flag `flagName`. */
export function parseAllocator(flagName: string, value: string): BenchAllocator {
  if (value !== 'jemalloc' && value !== 'glibc') throw new Error(`--${flagName}: jemalloc or glibc, got ${value}`);
  return value;
}
