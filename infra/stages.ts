import { type StageOverrides, stageSettings } from './stage-settings.ts';

/**
 * Per-customer deviations from the defaults, keyed by stage name. A customer served at
 * `https://<stage>.econnectcloud.com/identities`, whose web app runs on that same host, needs no entry.
 */
export const STAGE_OVERRIDES: Readonly<Record<string, StageOverrides>> = {};

/** The settings of the stage being deployed; sst.config.ts retains exactly the customer stages. */
export const stage = stageSettings($app.stage, $app.removal === 'retain', STAGE_OVERRIDES[$app.stage]);
