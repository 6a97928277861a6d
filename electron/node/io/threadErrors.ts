import {
  isSalvageError,
  SalvageError,
  type SalvageErrorKind,
} from '../../../shared/util/errors.ts';

/** An error as it crosses from a worker thread: a typed error keeps its kind. */
export interface WorkerError {
  readonly kind: SalvageErrorKind | null;
  readonly message: string;
}

/** An error made ready to post from a worker thread. */
export function workerError(error: unknown): WorkerError {
  if (isSalvageError(error)) return { kind: error.kind, message: error.message };
  return { kind: null, message: error instanceof Error ? error.message : String(error) };
}

/** A worker's error as the thread that started it throws it. */
export function errorFrom(error: WorkerError): Error {
  return error.kind === null
    ? new Error(error.message)
    : new SalvageError(error.kind, error.message);
}

/**
 * Why a worker thread died, as the thread that started it reports it: out of memory (its
 * resourceLimits, or the process's) becomes a typed error the user can act on; anything else
 * there is a bug, and stays as it is.
 */
export function threadDeath(error: Error, work: string): Error {
  if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') return error;
  return new SalvageError(
    'out-of-memory',
    `Salvage ran out of memory while ${work}; close other samples or runs and try again.`,
    { cause: error },
  );
}
