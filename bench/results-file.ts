/**
 * Benchmarks write their figures into `bench/results.md`, each into its own section between
 * `<!-- <id>:start -->` and `<!-- <id>:end -->` markers, so a re-run replaces its own figures and leaves the
 * others' alone. Every section opens with the date, the machine and the command that produced it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_PATH = fileURLToPath(new URL('./results.md', import.meta.url));

/** "2026-11-24, 2 × AMD EPYC …, 23 GiB RAM, load 1.2, Node v20.20.2" */
export function machineLine(now = new Date()): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const gib = (os.totalmem() / 2 ** 30).toFixed(0);
  const load = os.loadavg()[0]?.toFixed(1) ?? '?';
  return `${now.toISOString().slice(0, 10)}, ${cpus.length} × ${model}, ${gib} GiB RAM, 1-min load ${load} at the end, Node ${process.version}`;
}

/** A section header: title, then date/machine and the command as a code line. */
export function sectionHeader(title: string, command: string): string {
  return `## ${title}\n\n${machineLine()}\n\n    ${command}\n`;
}

/** Replaces (or appends) the section `id` of bench/results.md with `markdown`. */
export async function writeResultsSection(id: string, markdown: string, file = RESULTS_PATH): Promise<void> {
  const start = `<!-- ${id}:start -->`;
  const end = `<!-- ${id}:end -->`;
  const current = await readFile(file, 'utf8').catch(() => '');
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next.startsWith('\n') ? next.trimStart() : next);
}

/**
 * Measures each run in turn, prints its row, and rewrites section `section` of bench/results.md after every row, so a
 * long benchmark that is stopped keeps the rows it finished; prints the whole table at the end.
 */
export async function measureRows<Run, Row>(
  runs: readonly Run[],
  options: {
    what: (run: Run) => string;
    measure: (run: Run) => Promise<Row>;
    table: (rows: Row[]) => string;
    section: string;
    title: string;
    command: string;
    notes: string;
  },
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const run of runs) {
    console.log(`${options.what(run)} …`);
    rows.push(await options.measure(run));
    console.log(options.table(rows.slice(-1)));
    await writeResultsSection(
      options.section,
      `${sectionHeader(options.title, options.command)}\n${options.notes}\n\n${options.table(rows)}\n`,
    );
  }
  console.log(`\n${options.table(rows)}`);
  return rows;
}
