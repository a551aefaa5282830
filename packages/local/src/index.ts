export * from './proxy-event.ts';
export * from './stand-ins.ts';
