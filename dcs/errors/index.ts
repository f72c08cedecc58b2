/** The DCS client's error hierarchy, the one HTTP→error mapping, and secret scrubbing. */
export { DcsError, type DcsErrorContext } from './dcs-error.js';
export * from './error-classes.js';
export { errorFromHttpAnswer, errorFromTransportFailure, parseRetryAfter, type HttpErrorAnswer } from './map-error.js';
export { REDACTED, redactSecretFields, scrubSecrets, secretsInBody } from './scrub-secrets.js';
