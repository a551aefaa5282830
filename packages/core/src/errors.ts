/**
 * Errors that carry their HTTP status. Only these reach a client with their message; anything else
 * becomes a generic 500 (see `http.ts`).
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly title: string;
  /** Extra response headers the status calls for (`WWW-Authenticate`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    title: string,
    detail: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.title = title;
    this.headers = options.headers ?? {};
  }
}

export class BadRequestError extends HttpError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(400, 'Bad Request', detail, options);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(detail: string, options?: { cause?: unknown }) {
    // RFC 6750 §3: every 401 names the scheme; a bad token also says why, without echoing it.
    super(401, 'Unauthorized', detail, {
      ...options,
      headers: { 'WWW-Authenticate': 'Bearer realm="identities"' },
    });
  }
}

export class ForbiddenError extends HttpError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends HttpError {
  constructor(detail: string) {
    super(404, 'Not Found', detail);
  }
}

export class ConflictError extends HttpError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(409, 'Conflict', detail, options);
  }
}

/** A range that starts past the end of the representation (RFC 9110 §15.5.17): says how long it is. */
export class RangeNotSatisfiableError extends HttpError {
  constructor(size: number) {
    super(416, 'Range Not Satisfiable', `The range starts past the end of the ${size} bytes.`, {
      headers: { 'Content-Range': `bytes */${size}` },
    });
  }
}

/** What was asked for existed once and is gone for good (an expired upload session). */
export class GoneError extends HttpError {
  constructor(detail: string) {
    super(410, 'Gone', detail);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(detail: string) {
    super(413, 'Content Too Large', detail);
  }
}

/** A dependency (storage, the key set) is throttling or unreachable: the client may retry. */
export class ServiceUnavailableError extends HttpError {
  constructor(detail: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(503, 'Service Unavailable', detail, {
      cause: options.cause,
      headers: { 'Retry-After': String(options.retryAfterSeconds ?? 1) },
    });
  }
}

/** A dependency answered with a failure of its own. */
export class BadGatewayError extends HttpError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(502, 'Bad Gateway', detail, options);
  }
}

/** A dependency did not answer in time. */
export class GatewayTimeoutError extends HttpError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(504, 'Gateway Timeout', detail, options);
  }
}

/** The body is of a media type the route does not take; `Accept-Patch` or `Accept` names the one it does. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(detail: string, headers: Record<string, string> = {}) {
    super(415, 'Unsupported Media Type', detail, { headers });
  }
}

/** An `If-Match` that no longer holds: the resource changed since the client read it. */
export class PreconditionFailedError extends HttpError {
  constructor(detail: string) {
    super(412, 'Precondition Failed', detail);
  }
}

/** A change sent without `If-Match` where the route requires one (RFC 6585 §3). */
export class PreconditionRequiredError extends HttpError {
  constructor(detail: string) {
    super(428, 'Precondition Required', detail);
  }
}
