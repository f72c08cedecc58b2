/**
 * The environment variables of the payload codec, by name only: the CLI names them in its help text, which must
 * not load the codec (zod, hono) just to print them.
 */
export const CODEC_KEYS_VAR = 'DCS_MIGRATE_CODEC_KEYS';
export const CODEC_KEY_FILE_VAR = 'DCS_MIGRATE_CODEC_KEY_FILE';
export const CODEC_ACTIVE_KEY_VAR = 'DCS_MIGRATE_CODEC_ACTIVE_KEY';
/** The bearer token the codec server requires (none: no auth, for a local stack). */
export const CODEC_TOKEN_VAR = 'DCS_MIGRATE_CODEC_TOKEN';
/** The UI origins allowed to call the codec server (comma-separated). */
export const CODEC_CORS_ORIGINS_VAR = 'DCS_MIGRATE_CODEC_CORS_ORIGINS';
