/**
 * An unknown command is reported even when help is asked for (issue 19): commander answers `--help` before it looks
 * for the command, so `dcs-migrate fleet --help` used to print the root help and exit 0. Runs the real CLI; no
 * Temporal server is needed (commander refuses before anything connects).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../client/testing/run-cli.js';

const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const invocations = {
  'fleet --help': ['fleet', '--help'],
  'help fleet': ['help', 'fleet'],
  'lst -h': ['lst', '-h'],
  'start --help': ['start', '--help'],
  'plan --help': ['plan', '--help'],
} as const;
const runs = new Map<string, CliRun>();

beforeAll(async () => {
  await Promise.all(
    Object.entries(invocations).map(async ([name, args]) => runs.set(name, await runCli([...args], env, 30_000))),
  );
}, 60_000);

function run(name: keyof typeof invocations): CliRun {
  const result = runs.get(name);
  if (!result) throw new Error(`${name} did not run`);
  return result;
}

describe('unknown commands with help', () => {
  it.each(['fleet --help', 'help fleet'] as const)(
    '%s: "unknown command \'fleet\'", exit 2, no help on stdout',
    (name) => {
      const { code, stdout, stderr } = run(name);
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(/^error: unknown command 'fleet'$/m);
      expect(stdout).toBe('');
    },
  );

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

  it('plan --help lists its subcommands', () => {
    const { code, stdout } = run('plan --help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: dcs-migrate plan /m);
    for (const command of ['check', 'start', 'status', 'watch', 'pause', 'resume', 'cancel', 'cutover', 'retry', 'add'])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});
