// Type declarations for the two stand-ins, which ship none: only what this package uses.

declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(callback: () => void): void;
  }
}

declare module 'dynalite' {
  import type { Server } from 'node:http';

  export default function dynalite(options: { createTableMs?: number; path?: string }): Server;
}
