// The test S3 server (npm @20minutes/s3rver) ships no types: what test/support uses of it.
declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    port?: number;
    address?: string;
    silent?: boolean;
    directory?: string;
    configureBuckets?: ReadonlyArray<{ name: string }>;
  }

  type Middleware = (
    context: { path: string; state: Record<string, unknown>; mountPath?: string },
    next: () => Promise<void>,
  ) => Promise<void>;

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware list (the router is last). */
    middleware: Middleware[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
