// The statements are built in core, where the local stores build the same ones to enforce them.
export { type AccessTargets, type Statement, statementsFor } from '@identities/core/infra';
