import type { CompareReport, DifferenceKind } from './compare.js';

const KINDS: DifferenceKind[] = ['MISSING', 'EXTRA', 'TYPE', 'VALUE', 'TTL'];

/**
 * A report as lines for a terminal: one line per listed difference (db, kind, key, detail), then a summary
 * that starts with "<N> differences" — "0 differences" when the servers hold the same data. When a side is a cluster,
 * each line names its shard (the master it was scanned on) and a count per shard comes before the summary.
 */
export function renderReport(report: CompareReport): string[] {
  const shards = Object.entries(report.shards ?? {});
  // Between standalone servers the shard is just the address: naming it on every line would only repeat it.
  const clustered = report.topology?.source === 'cluster' || report.topology?.target === 'cluster';
  const lines = report.differences.map(
    ({ db, shard, kind, key, detail }) =>
      `db${db}  ${kind.padEnd(7)}  ${key}  (${detail})${clustered && shard ? `  [shard ${shard}]` : ''}`,
  );
  if (report.totalDifferences > report.differences.length)
    lines.push(`… and ${report.totalDifferences - report.differences.length} more not listed (raise --max-listed)`);
  const counts = KINDS.map(
    (kind) => [kind, Object.values(report.dbs).reduce((sum, db) => sum + db.byKind[kind], 0)] as const,
  ).filter(([, count]) => count > 0);
  const byKind = counts.length > 0 ? ` (${counts.map(([kind, count]) => `${kind} ${count}`).join(', ')})` : '';
  const seconds = report.durationMs / 1000;
  const rate = seconds > 0 ? `, ${Math.round(report.keysCompared / seconds).toLocaleString('en-US')} keys/s` : '';
  const scope = [
    `mode ${report.mode}`,
    ...(report.sampleRatio < 1 ? [`sample ${report.sampleRatio}`] : []),
    ...(report.rounds > 0 ? [`${report.rounds} re-check round(s)`] : []),
  ].join(', ');
  if (clustered)
    for (const [name, { keys, differences }] of shards)
      lines.push(`shard ${name}: ${keys.toLocaleString('en-US')} keys, ${differences} differences`);
  lines.push(
    `${report.totalDifferences} differences${byKind}: ${report.keysCompared.toLocaleString('en-US')} keys compared in ${Object.keys(report.dbs).length} db(s) in ${seconds.toFixed(1)}s${rate}; ${scope}`,
  );
  return lines;
}
