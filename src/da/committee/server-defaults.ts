/** A committee member's default limits (`modex da-server` options; no imports, so the CLI loads them fast). */

/** 1 MiB: the default largest batch a member accepts. */
export const DA_SERVER_DEFAULT_MAX_BYTES = 1024 * 1024;
/** 15 days: the default longest retention a member promises. */
export const DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS = 15 * 24 * 3600;
