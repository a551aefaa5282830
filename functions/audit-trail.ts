import { auditTrailHandler, readSettings } from '@identities/aws';

// GET /api/v1/people/{personId}/auditTrail: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = auditTrailHandler(readSettings(process.env));
