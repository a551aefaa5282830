import { BadRequestError } from './errors.ts';
import { parseJson } from './session-requests.ts';

/** A link lives a minute unless asked otherwise, and never more than 15 minutes. */
export const DEFAULT_LINK_SECONDS = 60;
export const MAX_LINK_SECONDS = 15 * 60;

export interface LinkCommand {
  /** How long the link is valid for, in seconds: 1 to `MAX_LINK_SECONDS`. */
  readonly expiresInSeconds: number;
}

/**
 * The body of a link request: none at all (any or no Content-Type: the default lifetime), or a JSON
 * object (application/json, as every JSON route) with `expiresIn` alone. Unknown fields are refused,
 * so a misspelt name never silently means the default.
 */
export function parseLinkRequest(contentType: string | undefined, body: Buffer): LinkCommand {
  if (body.length === 0) return { expiresInSeconds: DEFAULT_LINK_SECONDS };
  const json = parseJson(contentType, body);
  const unknown = Object.keys(json).filter((name) => name !== 'expiresIn');
  if (unknown.length > 0) {
    throw new BadRequestError(`Unknown field ${JSON.stringify(unknown[0])}: the body may carry expiresIn alone.`);
  }
  const { expiresIn } = json;
  if (expiresIn === undefined) return { expiresInSeconds: DEFAULT_LINK_SECONDS };
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_LINK_SECONDS) {
    throw new BadRequestError(`expiresIn must be a whole number of seconds from 1 to ${MAX_LINK_SECONDS}.`);
  }
  return { expiresInSeconds: expiresIn };
}
