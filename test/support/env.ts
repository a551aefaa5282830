import { installLocalLambdaRuntime } from '@identities/local';
import { inject } from 'vitest';

// Handlers read their configuration at import, as at a cold start: set it before any test imports one.
Object.assign(process.env, inject('env'));
// And, as Lambda's runtime is there before a function loads, its streaming API (functions create their
// streaming handlers at import).
installLocalLambdaRuntime();
