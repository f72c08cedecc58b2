/**
 * Whether a migration's pair may switch clients with DCS IP switching (`cutover.switch`), as pre-flight outcomes.
 * DCS's rules (dcs-operations.md §3): only between DCS instances, during incremental migration, not Redis Cluster,
 * the same port and the same password on both sides, no public access. Pure: the facts only the servers know
 * (passwords, ports, cluster mode) are gathered by activities and passed in; a fact not known yet is left out and
 * its check not reported, so the same function serves before the task exists and right before exchange-ip.
 */
import type { MigrationInput } from './migration-input.js';
import type { PrecheckOutcome } from './precheck.js';

/** What the worker found out about the pair; each absent field means "not checked yet". */
export interface SwitchPairFacts {
  /** The two password references resolve to the same value (compared on the worker; values never leave it). */
  samePassword?: boolean;
  /** Ports of the instances' addresses (ShowMigrationTask `source_instance.port` / `target_instance.port`). */
  ports?: { source: number | undefined; target: number | undefined };
  /** `cluster_enabled` of each side's server (INFO cluster). */
  cluster?: { source: boolean; target: boolean };
  /** Public access of each instance, when known (the emulator does not model it). */
  publicAccess?: { source: boolean; target: boolean };
}

/** The ids the checks report under (stable, safe to script on: docs/migration-file.md, "Switching the clients"). */
export const SWITCH_CHECK_IDS = [
  'switch-dcs-instances',
  'switch-incremental',
  'switch-same-password',
  'switch-same-port',
  'switch-not-cluster',
  'switch-no-public-access',
  'switch-verified',
] as const;

/** The outcomes of the checks that apply; empty when the input does not ask for a switch. */
export function switchEligibility(input: MigrationInput, facts: SwitchPairFacts = {}): PrecheckOutcome[] {
  if (input.kind !== 'online' || (input.cutover?.switch ?? 'none') === 'none') return [];
  const outcomes: PrecheckOutcome[] = [];
  const dcsSource = input.source.instanceId !== undefined;
  outcomes.push({
    id: 'switch-dcs-instances',
    verdict: dcsSource ? 'pass' : 'fail',
    title: 'both sides are DCS instances',
    evidence: dcsSource
      ? `source ${input.source.instanceId}, target ${input.target.instanceId}`
      : 'the source is a self-hosted Redis (source.addrs)',
    ...(dcsSource
      ? {}
      : {
          remedy:
            'IP switching works only between DCS instances: set cutover.switch to none and move the clients yourself',
        }),
  });
  const incremental = input.method === 'incremental';
  outcomes.push({
    id: 'switch-incremental',
    verdict: incremental ? 'pass' : 'fail',
    title: 'incremental migration',
    evidence: `method ${input.method}`,
    ...(incremental
      ? {}
      : { remedy: 'IPs can be switched only during incremental migration: set method to incremental' }),
  });
  if (facts.samePassword !== undefined) {
    outcomes.push({
      id: 'switch-same-password',
      verdict: facts.samePassword ? 'pass' : 'fail',
      title: 'same password on both instances',
      evidence: facts.samePassword
        ? 'source.password and target.password resolve to the same value'
        : 'source.password and target.password differ',
      ...(facts.samePassword
        ? {}
        : { remedy: 'give both instances the same password before switching (DCS requires it)' }),
    });
  }
  if (facts.ports) {
    const { source, target } = facts.ports;
    const same = source !== undefined && source === target;
    outcomes.push({
      id: 'switch-same-port',
      verdict: same ? 'pass' : 'fail',
      title: 'same port on both instances',
      evidence: `source port ${source ?? 'unknown'}, target port ${target ?? 'unknown'}`,
      ...(same ? {} : { remedy: 'IP switching needs the same port on both instances' }),
    });
  }
  if (facts.cluster) {
    const cluster = facts.cluster.source || facts.cluster.target;
    outcomes.push({
      id: 'switch-not-cluster',
      verdict: cluster ? 'fail' : 'pass',
      title: 'neither instance is a Redis Cluster',
      evidence: `cluster_enabled source ${facts.cluster.source ? 1 : 0}, target ${facts.cluster.target ? 1 : 0}`,
      ...(cluster ? { remedy: 'Redis Cluster instances cannot switch IPs: set cutover.switch to none' } : {}),
    });
  }
  if (facts.publicAccess) {
    const open = facts.publicAccess.source || facts.publicAccess.target;
    outcomes.push({
      id: 'switch-no-public-access',
      verdict: open ? 'fail' : 'pass',
      title: 'no public access on either instance',
      evidence: `public access source ${facts.publicAccess.source ? 'on' : 'off'}, target ${facts.publicAccess.target ? 'on' : 'off'}`,
      ...(open ? { remedy: 'turn public access off on both instances before switching' } : {}),
    });
  }
  return outcomes;
}

/** One line naming the failed checks and what to do, for the failure message; undefined when none failed. */
export function switchRefusal(outcomes: PrecheckOutcome[]): string | undefined {
  const failed = outcomes.filter((outcome) => outcome.verdict === 'fail');
  if (failed.length === 0) return undefined;
  return `the clients cannot be switched (cutover.switch): ${failed.map((o) => `${o.id}: ${o.evidence}${o.remedy ? ` — ${o.remedy}` : ''}`).join('; ')}`;
}
