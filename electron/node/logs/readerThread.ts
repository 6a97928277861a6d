import { parentPort } from 'node:worker_threads';
import { readRunFiles, type ReadTask } from './readRuns.ts';
import { workerError } from '../io/threadErrors.ts';
import type { WorkerAnswer } from './readerPool.ts';
import { useBlockingReads } from '../io/fileByteSource.ts';

useBlockingReads();

// A ReaderPool's worker thread (started through readerWorker.ts): reads each chunk of logs it is
// sent and answers with their rows.
parentPort?.on('message', ({ id, tasks }: { id: number; tasks: ReadonlyArray<ReadTask> }) => {
  readRunFiles(tasks).then(
    (results) => parentPort?.postMessage({ id, results } satisfies WorkerAnswer),
    (error: unknown) =>
      parentPort?.postMessage({ id, error: workerError(error) } satisfies WorkerAnswer),
  );
});
