export * from './auth.ts';
export * from './cors.ts';
export * from './dynamodb.ts';
export * from './env.ts';
export * from './logging.ts';
export * from './s3.ts';
export * from './storage-errors.ts';
export * from './table.ts';
