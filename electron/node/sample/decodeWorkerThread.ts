import { write } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { readEntryChunks } from '../../../shared/formats/zip/entryReader.ts';
import type { ZipEntry } from '../../../shared/formats/zip/zipEntry.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';
import { fileError } from '../io/fileErrors.ts';
import { FileByteSource, useBlockingReads } from '../io/fileByteSource.ts';
import { workerError } from '../io/threadErrors.ts';
import {
  SLOT_BYTES,
  SLOTS,
  type DecodeJob,
  type FromDecoder,
  type ToDecoder,
} from './decodeThread.ts';

// A DecodeThread's worker (started through decodeWorker.ts): decodes the entries it is asked
// for, checks them (size, CRC-32), passes their bytes on through the ring's slots and writes them
// to the spill file. Reads block (this thread only reads and decodes); writes go to libuv's pool,
// a few at a time, beside the decoding: the page cache's copy costs as much CPU as the CRC.
useBlockingReads();

/** Decoded chunks this large are given back once written (see release). */
const RELEASED_FROM_BYTES = 1024 * 1024;

/** Spill writes in flight at once: enough to overlap them with decoding, bounded in memory. */
const MAX_PENDING_WRITES = 4;

const job = workerData as DecodeJob;
const port = parentPort!;
const ring = new Uint8Array(job.ring);
const free: number[] = Array.from({ length: SLOTS }, (_, slot) => slot);
const entries: ZipEntry[] = [];
const writes = new Set<Promise<void>>();
let writeFailure: Error | null = null;
let wake: (() => void) | null = null;

port.on('message', (message: ToDecoder) => {
  if (message.type === 'stop') {
    // Ends once no write is in flight: the owner closes the spill file after this thread's exit.
    void Promise.allSettled(writes).then(() => process.exit(0));
    return;
  }
  if (message.type === 'free') free.push(message.slot);
  else entries.push(message.entry);
  wake?.();
  wake = null;
});

const post = (message: FromDecoder): void => port.postMessage(message);
const nextMessage = (): Promise<void> => new Promise((resolve) => (wake = resolve));

async function freeSlot(): Promise<number> {
  while (free.length === 0) await nextMessage();
  return free.shift()!;
}

async function nextEntry(): Promise<ZipEntry> {
  while (entries.length === 0) await nextMessage();
  return entries.shift()!;
}

/** Write `bytes` at `position` of the spill file, waiting while too many writes are in flight. */
async function spill(bytes: Uint8Array, position: number): Promise<void> {
  while (writes.size >= MAX_PENDING_WRITES) await Promise.race(writes);
  checkWrites();
  const done: Promise<void> = writeAll(bytes, position)
    .then(() => release(bytes))
    .catch((error: unknown) => {
      writeFailure ??= fileError(error, job.spillPath) as Error;
    })
    .finally(() => writes.delete(done));
  writes.add(done);
}

async function writeAll(bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    done += await new Promise<number>((resolve, reject) =>
      write(job.spillFd, bytes, done, bytes.length - done, position + done, (error, written) =>
        error ? reject(error) : resolve(written),
      ),
    );
  }
}

/**
 * Give a decoded chunk's memory back now that it is in the ring and the spill file, when the
 * chunk is all of its buffer (zlib's full outputs: zlib has moved on to a new one). Left to the
 * garbage collector, each 4 MiB output counted as new external memory, and with the thread's heap
 * then at 32 MB that forced a full collection every 14 MB or so: about 100 over a 1.4 GiB entry.
 */
function release(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer) || bytes.byteOffset !== 0) return;
  if (bytes.byteLength !== buffer.byteLength || bytes.byteLength < RELEASED_FROM_BYTES) return;
  try {
    buffer.transfer(0);
  } catch {
    // Not a buffer that can be let go (a WebAssembly memory): the collector's, as before.
  }
}

function checkWrites(): void {
  if (writeFailure) throw writeFailure;
}

try {
  const file = await FileByteSource.open(job.path);
  if (file.size !== job.fileSize)
    throw new SalvageError(
      'io',
      `${job.path} changed while its sample was being opened (${job.fileSize} bytes, now ${file.size}); open the sample again.`,
    );
  const codecs = defaultCodecs();
  let position = 0;
  // Entries one after another, as asked, until the owner stops this thread.
  for (;;) {
    const entry = await nextEntry();
    for await (const chunk of readEntryChunks(file, entry, codecs)) {
      // The scan first: it is the longer of the two.
      for (let from = 0; from < chunk.length; from += SLOT_BYTES) {
        const piece = chunk.subarray(from, from + SLOT_BYTES);
        const slot = await freeSlot();
        ring.set(piece, slot * SLOT_BYTES);
        post({ type: 'chunk', slot, length: piece.length });
      }
      await spill(chunk, position);
      position += chunk.length;
    }
    // The entry ends once its bytes are checked and all written.
    await Promise.all(writes);
    checkWrites();
    post({ type: 'end' });
  }
} catch (error) {
  post({ type: 'error', error: workerError(error) });
}
