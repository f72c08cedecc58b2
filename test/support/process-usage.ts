/** CPU and memory of a process from /proc (Linux): the worker and the server in the scale benchmark, the worker in the soak. Shared by the chaos suite and the benchmarks. */
import { readFile } from 'node:fs/promises';

const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  rssBytes: number;
}

export async function processUsage(pid: number): Promise<ProcessUsage> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  // Fields after the command name (which may hold spaces) start after the last ')'; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssBytes: rssKb * 1024 };
}

/** Samples a process's RSS every `intervalMs` and keeps the peak; `stop()` returns it. */
export function trackPeakRss(pid: number, intervalMs = 500): { stop(): number } {
  let peak = 0;
  const sample = (): void => {
    processUsage(pid).then(
      (usage) => (peak = Math.max(peak, usage.rssBytes)),
      () => undefined,
    );
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
