import { KB, MB, round } from './stats.ts';

export const kb = (bytes: number) => `${round(bytes / KB, 1)} KB`;
export const mb = (bytes: number) => `${round(bytes / MB, 1)} MB`;
export const ms = (value: number) => `${round(value, value < 10 ? 2 : 1)} ms`;
export const x = (value: number) => `${round(value, 2)}x`;
