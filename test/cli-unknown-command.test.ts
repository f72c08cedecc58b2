/**
 * An unknown command is reported even when help is asked for (issue 19): commander answers `--help` before it looks
 * for the command, so `dcs-migrate plan --help` used to print the root help and exit 0. Runs the real CLI; no
 * Temporal server is needed (commander refuses before anything connects).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../client/testing/run-cli.js';

const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const invocations = {
  'plan --help': ['plan', '--help'],
  'help plan': ['help', 'plan'],
  'lst -h': ['lst', '-h'],
  'start --help': ['start', '--help'],
} as const;
const runs = new Map<string, CliRun>();

beforeAll(async () => {
  await Promise.all(Object.entries(invocations).map(async ([name, args]) => runs.set(name, await runCli([...args], env, 30_000))));
}, 60_000);

function run(name: keyof typeof invocations): CliRun {
  const result = runs.get(name);
  if (!result) throw new Error(`${name} did not run`);
  return result;
}

describe('unknown commands with help', () => {
  it.each(['plan --help', 'help plan'] as const)('%s: "unknown command \'plan\'", exit 2, no help on stdout', (name) => {
    const { code, stdout, stderr } = run(name);
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/^error: unknown command 'plan'$/m);
    expect(stdout).toBe('');
  });

  it('suggests the closest command', () => {
    const { code, stderr } = run('lst -h');
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/unknown command 'lst'\n\(Did you mean list\?\)/);
  });

  it('a known command still shows its help and exits 0', () => {
    const { code, stdout } = run('start --help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: dcs-migrate start /m);
  });
});
