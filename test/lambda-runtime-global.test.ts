import { streamingRuntime } from '@identities/core';
import { installLocalLambdaRuntime } from '@identities/local';
import { describe, expect, it } from 'vitest';

describe('the streaming runtime choice', () => {
  it('keeps the local runtime when the AWS SDK has defined an empty awslambda global', async () => {
    // Loading the SDK defines globalThis.awslambda = {} outside Lambda.
    await import('@aws-sdk/client-s3');
    expect((globalThis as { awslambda?: object }).awslambda).toBeDefined();
    installLocalLambdaRuntime();
    const lambda = streamingRuntime();
    expect(typeof lambda.streamifyResponse).toBe('function');
    expect(typeof lambda.HttpResponseStream.from).toBe('function');
  });

  it('says what is missing when a streaming handler is made without a runtime', () => {
    const holder = globalThis as { awslambda?: unknown };
    const installed = holder.awslambda;
    holder.awslambda = {};
    try {
      expect(() => streamingRuntime()).toThrow(/no streamifyResponse.*installLocalLambdaRuntime/);
    } finally {
      holder.awslambda = installed;
    }
  });
});
