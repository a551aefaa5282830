import { S3Client } from '@aws-sdk/client-s3';

/** The settings the functions' S3 client has against the stand-in, so only our own code differs. */
export function rawS3Client(env: NodeJS.ProcessEnv): S3Client {
  return new S3Client({
    region: env.AWS_REGION,
    maxAttempts: 3,
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
