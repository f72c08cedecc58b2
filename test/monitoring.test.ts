/**
 * The monitoring files against the code and the real tools: the alert rules pass `promtool test rules` (their
 * unit tests, monitoring/prometheus/rules.test.yml), every PromQL expression of the Grafana board parses, every
 * metric the rules, the board and docs/monitoring.md name is one the code exports (common/migration-metrics.ts), and
 * docker-compose.yml's Prometheus scrapes the port the worker serves its metrics on.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { MIGRATION_METRICS, PLAN_METRICS } from '../common/migration-metrics.js';
import { projectRoot, resolvePromtool } from '../local/tools.js';

const run = promisify(execFile);
const monitoring = path.join(projectRoot, 'monitoring');
const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');

const KNOWN = new Set<string>(
  [...Object.values(MIGRATION_METRICS), ...Object.values(PLAN_METRICS)].map((spec) => spec.name),
);
/** The dcs_migrate_* names in `text`, histogram series (`_bucket`, `_sum`, `_count`) under their histogram's name. */
function metricNames(text: string): string[] {
  const names = [...text.matchAll(/\bdcs_migrate_[a-z_]+/g)].map(([name]) =>
    KNOWN.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''),
  );
  return [...new Set(names)];
}

interface Panel {
  title: string;
  datasource: { uid: string };
  targets: Array<{ expr: string }>;
}
const dashboard = JSON.parse(read('monitoring/grafana/dashboards/dcs-migrate.json')) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string }> };
};

describe('the Prometheus rules', () => {
  it('pass promtool: the rules check, and their unit tests (each alert fires on its case and not on a near miss)', async () => {
    const promtool = await resolvePromtool();
    const check = await run(promtool, ['check', 'rules', path.join(monitoring, 'prometheus/rules.yml')]);
    expect(check.stdout).toContain('SUCCESS: 8 rules found');
    const tested = await run(promtool, ['test', 'rules', 'rules.test.yml'], {
      cwd: path.join(monitoring, 'prometheus'),
    });
    expect(tested.stdout).toContain('SUCCESS');
    // The compose stack's Prometheus config (with rule_files) is valid too.
    const config = await run(promtool, ['check', 'config', path.join(monitoring, 'prometheus/prometheus.yml')]);
    expect(config.stdout).toContain('SUCCESS');
  });

  it('covers every alert the feature promises, each with a test case', () => {
    const rules = (
      parseYaml(read('monitoring/prometheus/rules.yml')) as { groups: Array<{ rules: Array<{ alert: string }> }> }
    ).groups.flatMap((g) => g.rules);
    const alerts = rules.map((rule) => rule.alert);
    expect(alerts).toEqual([
      'DcsMigrationStalled',
      'DcsMigrationOffsetNotConverging',
      'DcsMigrationRemoteTaskFailed',
      'DcsMigrationFullSyncSlowerThanEta',
      'DcsApiErrorRate',
      'DcsStatusWatcherFailing',
      'DcsMigrationCutoverWindowMissed',
      'DcsMigratePlanHalted',
    ]);
    const tests = read('monitoring/prometheus/rules.test.yml');
    for (const alert of alerts) expect(tests, `a promtool test of ${alert}`).toContain(`alertname: ${alert}`);
  });
});

describe('the metric names', () => {
  it('in the rules, the board and docs/monitoring.md are all exported by the code, and docs/monitoring.md explains every one', () => {
    const doc = read('docs/monitoring.md');
    for (const [file, text] of [
      ['rules.yml', read('monitoring/prometheus/rules.yml')],
      ['rules.test.yml', read('monitoring/prometheus/rules.test.yml')],
      ['dashboard', read('monitoring/grafana/dashboards/dcs-migrate.json')],
      ['docs/monitoring.md', doc],
    ] as const) {
      for (const name of metricNames(text))
        expect(KNOWN.has(name), `${file} names ${name}, which the code does not export`).toBe(true);
    }
    for (const name of KNOWN) expect(doc, `docs/monitoring.md explains ${name}`).toContain(`\`${name}\``);
  });
});

describe('the Grafana board', () => {
  it('has its panels on the datasource variable, and every query parses as PromQL (promtool)', async () => {
    expect(dashboard.uid).toBe('dcs-migrate-migrations');
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(['datasource', 'migration', 'plan']);
    const exprs = dashboard.panels.flatMap((panel) => {
      expect(panel.datasource.uid, panel.title).toBe('${datasource}');
      return panel.targets.map((target) => target.expr);
    });
    expect(exprs.length).toBeGreaterThan(8);
    // promtool parses recording rules: one per query, with the board's variable as Grafana substitutes it.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-board-'));
    try {
      const file = path.join(dir, 'board.yml');
      const rules = exprs.map((expr, i) => ({
        record: `board:query_${i}`,
        expr: expr.replaceAll('$migration', '.*').replaceAll('$plan', '.*'),
      }));
      await writeFile(file, toYaml({ groups: [{ name: 'board', rules }] }));
      const check = await run(await resolvePromtool(), ['check', 'rules', file]);
      expect(check.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shows every plan metric (issue 26: plans on the board), on the plan variable', () => {
    const planExprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    for (const spec of Object.values(PLAN_METRICS)) {
      const uses = planExprs.filter((expr) => expr.includes(spec.name));
      expect(uses.length, `a board query of ${spec.name}`).toBeGreaterThan(0);
      for (const expr of uses) expect(expr).toContain('plan_id=~"$plan"');
    }
  });
});

describe('docker-compose.yml monitoring', () => {
  interface Service {
    command?: string[];
    network_mode?: string;
    volumes?: string[];
    depends_on?: Record<string, unknown>;
  }
  const services = (parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> })
    .services;
  const hostPath = (volume: string) => path.join(projectRoot, volume.split(':')[0]!);

  it("scrapes the worker's metrics port, where the worker's network namespace answers, and loads the rules", () => {
    const worker = services.worker!;
    const port = worker.command![worker.command!.indexOf('--metrics-port') + 1];
    const namespaceOwner = worker.network_mode!.replace(/^service:/, '');
    const config = parseYaml(read('monitoring/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    expect(config.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets))).toEqual([
      `${namespaceOwner}:${port}`,
    ]);
    const prometheus = services.prometheus!;
    const mount = prometheus.volumes!.find((volume) => volume.startsWith('./monitoring/prometheus:'))!;
    const inContainer = mount.split(':')[1]!;
    expect(prometheus.command).toContain(`--config.file=${inContainer}/prometheus.yml`);
    for (const file of config.rule_files) expect(existsSync(path.join(hostPath(mount), file)), file).toBe(true);
  });

  it("provisions Grafana with the compose Prometheus as its datasource and the board's folder", () => {
    const grafana = services.grafana!;
    for (const volume of grafana.volumes!) expect(existsSync(hostPath(volume)), volume).toBe(true);
    const datasources = parseYaml(read('monitoring/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ url: string }>;
    };
    expect(datasources.datasources[0]?.url).toBe('http://prometheus:9090');
    expect(Object.keys(grafana.depends_on ?? {})).toContain('prometheus');
    const provider = parseYaml(read('monitoring/grafana/provisioning/dashboards/dcs-migrate.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const boardMount = grafana.volumes!.find((volume) => volume.startsWith('./monitoring/grafana/dashboards:'))!;
    expect(boardMount.split(':')[1]).toBe(provider.providers[0]?.options.path);
  });
});
