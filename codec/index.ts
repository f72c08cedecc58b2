/** Payload encryption for Temporal: key ring, AES-256-GCM codec, data converter, and the UI's codec server. */
export * from './codec-keys.js';
export * from './encryption-codec.js';
export * from './data-converter.js';
export * from './server.js';
