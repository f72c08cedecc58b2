/** The shape every verdict is built in, shared by the DCS and the server verdicts. */
import { PRECHECKS, type PrecheckId, type PrecheckOutcome, type PrecheckVerdict } from '../../common/precheck.js';

const MB = 1024 * 1024;

/** An outcome of check `id`, its title from the catalog; a remedy only when it did not pass. */
export function outcome(id: PrecheckId, verdict: PrecheckVerdict, evidence: string, remedy?: string): PrecheckOutcome {
  return {
    id,
    verdict,
    title: PRECHECKS[id].title,
    evidence,
    ...(verdict === 'pass' || remedy === undefined ? {} : { remedy }),
  };
}

/** Bytes as whole MB, rounded up. */
export const mb = (bytes: number): number => Math.ceil(bytes / MB);
