/**
 * Failure types the activities raise themselves (besides the DCS client's error class names, which they keep).
 * Each is permanent: retrying cannot help, so retry policies list them all as non-retryable
 * (`workflows/retry-policy.ts` takes `Object.values` of this). Here in common/ because workflow code needs the
 * values and may import only types from activities/.
 */
export const ActivityFailureType = {
  /** A password reference (`{ env }`, `{ file }`) cannot be resolved on the worker. */
  SecretUnavailable: 'SecretUnavailable',
} as const;
