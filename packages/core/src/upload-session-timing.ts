/** The largest document an upload session takes: 200 MiB, what a streamed download can return. */
export const MAX_SESSION_FILE_BYTES = 200 * 1024 * 1024;
/** How long a client has to upload the bytes and complete the session. */
export const SESSION_TTL_SECONDS = 3600;
/** How long the presigned form itself stays valid. */
export const PRESIGNED_POST_TTL_SECONDS = 900;
