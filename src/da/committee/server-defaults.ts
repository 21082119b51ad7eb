/** A committee member's default limits (`modex da-server` options; no imports, so the CLI loads them fast). */

/** 1 MiB: the default largest batch a member accepts. */
export const DA_SERVER_DEFAULT_MAX_BYTES = 1024 * 1024;
/** 15 days: the default longest retention a member promises. */
export const DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS = 15 * 24 * 3600;
/**
 * 8 days: the default shortest retention a member accepts to promise (`--min-retention`). A shorter
 * promise could expire before a validator that was briefly offline fetched the batch: 8 days is the
 * default challenge period (7 days) plus the 1-day margin `modex config check` requires of
 * `da.committee.minLifetimeSeconds` (docs/committee.md §5).
 */
export const DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS = 8 * 24 * 3600;
