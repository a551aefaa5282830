/**
 * The largest document an upload session takes: 190 MiB (199,229,440 bytes), so that its download, one
 * streamed Lambda response, stays within the platform's 200 MB with its prelude whichever way AWS counts
 * a megabyte (platform.ts; a test holds the two together).
 */
export const MAX_SESSION_FILE_BYTES = 190 * 1024 * 1024;
/** How long a client has to upload the bytes and complete the session. */
export const SESSION_TTL_SECONDS = 3600;
/** How long the presigned form itself stays valid. */
export const PRESIGNED_POST_TTL_SECONDS = 900;
/**
 * How old document bytes no document points to must be before a sweep takes them for a crash's
 * leftovers: far longer than any function that stores document bytes runs before it records them (the
 * route table's timeouts, at most 120 s; a test holds the two together). The cloud's daily job and the
 * local server use this one value.
 */
export const ORPHAN_GRACE_SECONDS = 3600;
