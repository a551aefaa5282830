import { DEFAULT_AUDIT_RETENTION_DAYS, MAX_AUDIT_RETENTION_DAYS } from '@identities/core/infra';

/**
 * What differs between stages, as plain data: the customer's host, the web app allowed to call the API,
 * log retention, throttling and the access trail. Pure, so it is tested without building a stage.
 */

/** Every customer is served at `https://<customer>.econnectcloud.com/identities`. */
export const BASE_DOMAIN = 'econnectcloud.com';
export const BASE_PATH = 'identities';

/** Deviations from the defaults for one stage; most customers need none. */
export interface StageOverrides {
  /** Serve the API on this host instead of `<stage>.econnectcloud.com`, or on none (`false`). */
  readonly domain?: string | false;
  /**
   * The host's API Gateway custom domain already exists (another product maps its own base path on it):
   * only the `identities` base path is mapped.
   */
  readonly sharedDomain?: boolean;
  /** The host's DNS is not in Route 53: the ACM certificate for the host, in the stage's region. */
  readonly certificateArn?: string;
  /** Origin of the customer's web app, allowed by CORS; `false` for none. */
  readonly webOrigin?: string | false;
  readonly throttle?: Throttle;
  /** The access trail: days its events are kept (default 400), and whether photo downloads are recorded too. */
  readonly audit?: { readonly retentionDays?: number; readonly photoDownloads?: boolean };
}

export interface AuditStageSettings {
  readonly retentionDays: number;
  readonly photoDownloads: boolean;
}

export interface Throttle {
  /** Steady-state requests per second across the stage. */
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export type LogRetention = '1 week' | '1 year';

export interface Domain {
  readonly name: string;
  readonly path: string;
  readonly sharedDomain: boolean;
  readonly certificateArn: string | undefined;
}

export interface StageSettings {
  readonly stage: string;
  /** Customer stages hold real data: retained, protected, served on the customer's host. */
  readonly customer: boolean;
  readonly domain: Domain | undefined;
  readonly webOrigin: string | undefined;
  readonly logRetention: LogRetention;
  readonly throttle: Throttle;
  readonly audit: AuditStageSettings;
}

const DEFAULT_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** `customer`: whether sst.config.ts treats the stage as a customer's. */
export function stageSettings(stage: string, customer: boolean, overrides: StageOverrides = {}): StageSettings {
  const host = hostFor(stage, customer, overrides);
  return {
    stage,
    customer,
    domain:
      host === undefined
        ? undefined
        : {
            name: host,
            path: BASE_PATH,
            sharedDomain: overrides.sharedDomain ?? false,
            certificateArn: overrides.certificateArn,
          },
    webOrigin: webOriginFor(host, overrides),
    logRetention: customer ? '1 year' : '1 week',
    throttle: overrides.throttle ?? DEFAULT_THROTTLE,
    audit: auditFor(stage, overrides),
  };
}

function auditFor(stage: string, overrides: StageOverrides): AuditStageSettings {
  const retentionDays = overrides.audit?.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_AUDIT_RETENTION_DAYS) {
    throw new Error(
      `Stage "${stage}": the access trail's retention must be a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}.`,
    );
  }
  return { retentionDays, photoDownloads: overrides.audit?.photoDownloads ?? false };
}

function hostFor(stage: string, customer: boolean, overrides: StageOverrides): string | undefined {
  if (overrides.domain === false) return undefined;
  if (overrides.domain !== undefined) {
    if (!HOST_NAME.test(overrides.domain))
      throw new Error(`Stage "${stage}": "${overrides.domain}" is not a host name.`);
    return overrides.domain;
  }
  if (!customer) return undefined;
  if (!DNS_LABEL.test(stage)) {
    throw new Error(
      `Stage "${stage}" cannot be served at ${stage}.${BASE_DOMAIN}: a customer stage name must be a lower-case DNS label, or the stage must set its own domain in infra/stages.ts.`,
    );
  }
  return `${stage}.${BASE_DOMAIN}`;
}

function webOriginFor(host: string | undefined, overrides: StageOverrides): string | undefined {
  if (overrides.webOrigin === false) return undefined;
  if (overrides.webOrigin === undefined) return host === undefined ? undefined : `https://${host}`;
  const url = new URL(overrides.webOrigin);
  // An origin is scheme, host and port only; CORS compares it byte for byte.
  if (url.origin !== overrides.webOrigin || (url.protocol !== 'https:' && url.hostname !== 'localhost')) {
    throw new Error(`"${overrides.webOrigin}" is not an https origin (scheme://host[:port], no path).`);
  }
  return url.origin;
}
