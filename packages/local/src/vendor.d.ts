// Type declarations for the two stand-ins, which ship none: only what this package uses.

declare module '@20minutes/s3rver' {
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
    /** Creates the configured buckets, as `run()` does before it listens. */
    configureBuckets(): Promise<void>;
    /** The Koa app as a request listener, for a server of the caller's own. */
    callback(): import('node:http').RequestListener;
    readonly logger: { exceptions: { unhandle(): void }; close(): void };
    /** Its file store, for what is answered without a request: whether a key exists, object versions. */
    readonly store: import('./object-versions.ts').ObjectFileStore & import('./storage-links.ts').ObjectFileReads;
  }
}

declare module 'dynalite' {
  import type { Server } from 'node:http';

  export default function dynalite(options: { createTableMs?: number; path?: string }): Server;
}
