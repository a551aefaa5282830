import { defineConfig } from 'vitest/config';

// The AWS SDK warns on every process that Node.js 20 support ends in 2027 (Lambda runs 22 or newer).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
