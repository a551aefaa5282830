// The emulator's own module, not the package index: that would load the stores and the server into every file.

import { inject } from 'vitest';
import { installLocalLambdaRuntime } from '../../packages/local/src/lambda-emulator.ts';

// Handlers read their configuration at import, as at a cold start: set it before any test imports one.
Object.assign(process.env, inject('env'));
// And, as Lambda's runtime is there before a function loads, its streaming API (functions create their
// streaming handlers at import).
installLocalLambdaRuntime();
