// What `npm run fuzz` (scripts/fuzz.ts) and its worker (worker.ts) say to each other.

export interface WorkerTask {
  readonly family: string;
  readonly seed: string;
  readonly from: number;
  readonly to: number;
  readonly scratch: string;
  /** Only these indexes (a re-run of a suspected hang). */
  readonly only?: ReadonlyArray<number>;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'begin'; readonly index: number }
  | {
      readonly type: 'end';
      readonly index: number;
      readonly outcome: 'success' | 'typed' | 'bug';
      readonly ms: number;
      /** CPU time the process spent on the input (this worker's thread and the threads it used). */
      readonly cpuMs: number;
      readonly error?: string;
      readonly input?: Uint8Array;
    }
  | { readonly type: 'harness-error'; readonly index: number; readonly error: string }
  | { readonly type: 'done' };

export function inputKey(seed: string, family: string, index: number): string {
  return `${seed}:${family}:${index}`;
}
