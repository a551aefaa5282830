import { inject } from 'vitest';

// Handlers read their configuration at import, as at a cold start: set it before any test imports one.
Object.assign(process.env, inject('env'));
