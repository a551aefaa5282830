export * from './openapi.ts';
export * from './operations.ts';
export * from './responses.ts';
export * from './schemas.ts';
