import { describe, expect, it } from 'vitest';

describe('the streaming runtime choice', () => {
  it('keeps the local runtime when the AWS SDK has defined an empty awslambda global', async () => {
    // Loading the SDK defines globalThis.awslambda = {} outside Lambda.
    await import('@aws-sdk/client-s3');
    expect((globalThis as { awslambda?: object }).awslambda).toBeDefined();
    const { lambda } = await import('@identities/core');
    expect(typeof lambda.streamifyResponse).toBe('function');
    expect(typeof lambda.HttpResponseStream.from).toBe('function');
  });
});
