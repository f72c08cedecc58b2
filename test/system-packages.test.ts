/**
 * tools/setup.ts (run by `npm test`) provisions the system packages the tests need: which are missing decides
 * what happens — nothing, one apt-get update and install as root with apt-get, or an at-once failure naming the
 * exact command. Decided here with injected probes, so nothing is installed or removed on this machine.
 */
import { describe, expect, it } from 'vitest';
import { MissingToolError } from '../local/tools.js';
import {
  chromiumPath,
  ensureSystemPackages,
  planSystemPackages,
  systemPackages,
  type SystemPackage,
} from '../tools/system-packages.js';

const chromium = { name: 'chromium', why: 'the browser test' };
const jemalloc = { name: 'libjemalloc2', why: 'the allocator test' };

/** A package found or not, or found only once `installed` holds its name. */
function fake(name: string, present: boolean | (() => boolean)): SystemPackage {
  return { name, why: `needed: ${name}`, present: async () => (typeof present === 'function' ? present() : present) };
}

describe('system packages', () => {
  it('plans nothing when all are present, an install as root with apt-get, else a failure naming the command', () => {
    expect(planSystemPackages([], { isRoot: false, hasAptGet: false })).toEqual({ action: 'none' });
    expect(planSystemPackages([chromium, jemalloc], { isRoot: true, hasAptGet: true })).toEqual({
      action: 'install',
      packages: ['chromium', 'libjemalloc2'],
    });

    const notRoot = planSystemPackages([chromium, jemalloc], { isRoot: false, hasAptGet: true });
    expect(notRoot.action).toBe('fail');
    if (notRoot.action === 'fail') {
      expect(notRoot.message).toContain('sudo apt-get install -y chromium libjemalloc2');
      expect(notRoot.message).toContain('chromium (the browser test)');
    }
    const noApt = planSystemPackages([chromium], { isRoot: true, hasAptGet: false });
    expect(noApt.action === 'fail' && noApt.message).toContain(
      "your system's package manager (on Debian/Ubuntu: apt-get install -y chromium)",
    );
  });

  it('as root with apt-get: one update, one non-interactive install of exactly the missing packages, then checks again', async () => {
    const installed = new Set<string>();
    const calls: string[][] = [];
    const lines: string[] = [];
    await ensureSystemPackages({
      packages: [
        fake('redis-server', true),
        fake('chromium', () => installed.has('chromium')),
        fake('libjemalloc2', () => installed.has('libjemalloc2')),
      ],
      host: { isRoot: true, hasAptGet: true },
      aptGet: async (args) => {
        calls.push(args);
        if (args.includes('install'))
          for (const name of ['chromium', 'libjemalloc2']) if (args.includes(name)) installed.add(name);
      },
      log: (line) => lines.push(line),
    });
    expect(calls.map((args) => args.filter((arg) => !arg.startsWith('-') && !arg.includes('Lock')))).toEqual([
      ['update'],
      ['install', 'chromium', 'libjemalloc2'],
    ]);
    expect(calls[1]).toContain('-y');
    expect(lines.join('\n')).toContain('Installing chromium, libjemalloc2 with apt-get');
  });

  it('does nothing, and runs no apt-get, when everything is present', async () => {
    const calls: string[][] = [];
    await ensureSystemPackages({
      packages: [fake('chromium', true)],
      host: { isRoot: true, hasAptGet: true },
      aptGet: async (args) => void calls.push(args),
    });
    expect(calls).toEqual([]);
  });

  it('fails at once, before any apt-get, when not root; and names what apt-get could not provide', async () => {
    const calls: string[][] = [];
    const aptGet = async (args: string[]) => void calls.push(args);
    await expect(
      ensureSystemPackages({ packages: [fake('chromium', false)], host: { isRoot: false, hasAptGet: true }, aptGet }),
    ).rejects.toThrow(/sudo apt-get install -y chromium/);
    expect(calls).toEqual([]);
    await expect(
      ensureSystemPackages({ packages: [fake('chromium', false)], host: { isRoot: true, hasAptGet: true }, aptGet }),
    ).rejects.toThrow(/apt-get install -y chromium\n\(apt-get installed them, yet they are still not found\)/);
    const failing = async () => {
      throw new Error('E: Unable to locate package chromium');
    };
    const error = await ensureSystemPackages({
      packages: [fake('chromium', false)],
      host: { isRoot: true, hasAptGet: true },
      aptGet: failing,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingToolError);
    expect((error as Error).message).toContain('(apt-get failed: E: Unable to locate package chromium)');
  });

  it('probes what the code that uses each package looks for', async () => {
    expect(systemPackages().map((pkg) => pkg.name)).toEqual([
      'redis-server',
      'python3-venv',
      'libjemalloc2',
      'chromium',
      'prometheus',
    ]);
    expect(chromiumPath({})).toBe('/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chrome/chrome' })).toBe('/opt/chrome/chrome');
    // On this machine redis-server is installed (the other tests run it): its probe must say so.
    expect(await systemPackages()[0]?.present()).toBe(true);
    // So are promtool and prometheus (test/monitoring*.test.ts run them).
    expect(await systemPackages()[4]?.present()).toBe(true);
  });
});
