/** The DCS client's error hierarchy, the one HTTP→error mapping, and secret scrubbing. */
export { DcsError, type DcsErrorContext } from './dcs-error.js';
export * from './error-classes.js';
export {
  DCS_ERROR_CLASSES,
  DCS_ERROR_NAMES,
  NON_RETRYABLE_DCS_ERROR_NAMES,
  type DcsErrorClass,
} from './error-catalog.js';
export { errorFromHttpAnswer, errorFromTransportFailure, parseRetryAfter, type HttpErrorAnswer } from './map-error.js';
export { REDACTED, redactSecretFields, scrubSecrets, secretsInBody } from './scrub-secrets.js';
export { parseThrottlingMessage, THROTTLED_ERROR_CODE, throttlingMessage } from './throttling.js';
