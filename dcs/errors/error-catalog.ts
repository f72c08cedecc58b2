/**
 * The error classes as a catalog: every class, its stable name and whether it is retryable — the contract Temporal
 * retry policies are written against. Derived from what `error-classes.ts` exports, so a new class is in it by
 * being written; nothing here is kept by hand.
 */
import { DcsError } from './dcs-error.js';
import * as errorClasses from './error-classes.js';

/** One of the concrete error classes. */
export type DcsErrorClass = (typeof errorClasses)[keyof typeof errorClasses];

function isErrorClass(value: unknown): value is DcsErrorClass {
  return typeof value === 'function' && value.prototype instanceof DcsError;
}

/** Every error class, in the order `error-classes.ts` declares them. */
export const DCS_ERROR_CLASSES: readonly DcsErrorClass[] = Object.values(errorClasses).filter(isErrorClass);

// `name` and `retryable` are fixed per class but set on instances, so one throwaway instance per class reads them
// (built from a message alone: the other constructor arguments are only stored, never read, while constructing).
const probes = DCS_ERROR_CLASSES.map((ErrorClass): DcsError => Reflect.construct(ErrorClass, ['catalog probe']));

/** Every error class name (the Temporal failure types the client can produce). */
export const DCS_ERROR_NAMES: readonly string[] = probes.map((error) => error.name);

/** The names to put in a Temporal retry policy's `nonRetryableErrorTypes`. */
export const NON_RETRYABLE_DCS_ERROR_NAMES: readonly string[] = probes
  .filter((error) => !error.retryable)
  .map((error) => error.name);
