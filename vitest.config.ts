import { defineConfig } from 'vitest/config';

// The AWS SDK warns on every process that Node.js 20 support ends in 2027 (Lambda runs 22 or newer).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FAST = 'test/fast/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // Use cases and parsers against in-memory ports: no stand-ins to start (`npm run test:fast`).
        extends: true,
        test: { name: 'fast', include: [FAST] },
      },
      {
        // Handlers against the embedded S3 and DynamoDB stand-ins, end to end, and the infrastructure.
        extends: true,
        test: {
          name: 'stand-ins',
          include: ['test/**/*.test.ts'],
          exclude: [FAST, '**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/env.ts', 'test/support/contract-setup.ts'],
        },
      },
    ],
  },
});
