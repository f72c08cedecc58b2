/**
 * The failure converter of workers and clients that encrypt payloads: failure messages and stack traces travel as
 * an encoded payload (so the codec encrypts them) instead of plain text in the history.
 *
 * A CommonJS file on purpose: the Temporal SDK `require()`s `failureConverterPath` in the main thread and webpack
 * bundles it into the workflow sandbox, and both load plain CommonJS without a TypeScript loader.
 */
/* global require, exports */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
// Lets a worker tell whether a prebuilt workflow bundle was built with this converter (see data-converter.ts).
exports.bundleMarker = 'dcs-migrate:encoded-failures';
