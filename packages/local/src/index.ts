export * from './credentials.ts';
export * from './data-dir.ts';
export * from './dev-issuer.ts';
export * from './gateway.ts';
export * from './lambda-emulator.ts';
export * from './proxy-event.ts';
export * from './server.ts';
export * from './stand-ins.ts';
