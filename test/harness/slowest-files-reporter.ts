/**
 * Prints the slowest test files after the run, with their share of the whole: test time is a budget
 * (`npm test` ≤ 12 minutes on 2 cores), and this list says where it goes before anyone has to guess.
 */
import type { Reporter, TestModule } from 'vitest/node';

/** How many files the list shows. */
const SHOWN = 15;

export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const timed = testModules
      .map((module) => ({ file: module.relativeModuleId, ms: fileMs(module) }))
      .sort((a, b) => b.ms - a.ms);
    const total = timed.reduce((sum, entry) => sum + entry.ms, 0);
    if (timed.length === 0 || total === 0) return;
    const lines = timed
      .slice(0, SHOWN)
      .map(({ file, ms }) => `  ${seconds(ms).padStart(7)}  ${percent(ms, total).padStart(4)}  ${file}`);
    console.log(`\nSlowest test files (${timed.length} files, ${seconds(total)} in all):\n${lines.join('\n')}\n`);
  }
}

/** The file's own time: importing it and running its tests and hooks (what serial files add to the run). */
function fileMs(module: TestModule): number {
  const diagnostic = module.diagnostic();
  return diagnostic.collectDuration + diagnostic.setupDuration + diagnostic.duration;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percent(ms: number, total: number): string {
  return `${Math.round((ms / total) * 100)}%`;
}
