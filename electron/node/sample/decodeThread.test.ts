import {
  fstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryByteSource,
  type ClosableByteSource,
} from '../../../shared/formats/bytes/byteSource.ts';
import {
  entryDataOffset,
  readCentralDirectory,
} from '../../../shared/formats/zip/centralDirectory.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { GENERATED_ENTRY, writeGeneratedEval } from '../../../test/support/generatedEval.ts';
import { agentSamplePlan, sampleChunks } from '../../../test/support/generatedSample.ts';
import { runningDecodeThreads } from './decodeThread.ts';
import { indexSample, type IndexOptions } from './indexSample.ts';
import { MEMORY_SAMPLE_BYTES } from './spillFile.ts';

const folder = mkdtempSync(join(tmpdir(), 'salvage-decode-thread-'));
const spill = join(folder, 'spill');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** About 20 MB decoded: above the in-memory limit, so it spills and decodes on its own thread. */
const PLAN = agentSamplePlan(1100, 2);
const GOOD = join(folder, 'good.eval');
const onThisThread: IndexOptions = { spillDirectory: spill, decodeWorkerUrl: null };
const onItsThread: IndexOptions = { spillDirectory: spill };

beforeAll(async () => {
  mkdirSync(spill);
  await writeGeneratedEval(GOOD, sampleChunks(PLAN), { frameInputBytes: 4 << 20 });
}, 60_000);

/** Descriptors of this process into the spill folder (its files are unlinked once open). */
function openSpills(): number[] {
  return readdirSync('/proc/self/fd')
    .map(Number)
    .filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(spill);
      } catch {
        return false;
      }
    });
}

/** A typed failure of `kind` that names `what`, leaving no thread running and no spill file open. */
function expectCleanFailure(error: unknown, kind: string, what: string): void {
  expect(error).toBeInstanceOf(SalvageError);
  expect(error).toMatchObject({ kind });
  expect((error as Error).message).toContain(what);
  expect(runningDecodeThreads()).toBe(0);
  expect(openSpills()).toEqual([]);
}

/** A copy of the good log with `change` applied to its bytes (given where the entry's data and directory record are). */
async function damaged(
  name: string,
  change: (bytes: Buffer, data: { offset: number; size: number }, recordOffset: number) => void,
): Promise<string> {
  const bytes = readFileSync(GOOD);
  const source = new MemoryByteSource(bytes);
  const directory = await readCentralDirectory(source);
  const entry = directory.byName.get(GENERATED_ENTRY)!;
  const record = bytes.indexOf(GENERATED_ENTRY, directory.centralDirectoryOffset) - 46;
  change(
    bytes,
    { offset: await entryDataOffset(source, entry), size: entry.compressedSize },
    record,
  );
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

async function contents(bytes: ClosableByteSource): Promise<Buffer> {
  return Buffer.from(await bytes.read(0, bytes.size));
}

/** The error an indexing fails with. */
function failure(path: string, options: IndexOptions): Promise<unknown> {
  return indexSample(path, 'generated', 1, options).then(
    () => expect.unreachable('the indexing should fail'),
    (error: unknown) => error,
  );
}

describe('a large sample decoded on a thread of its own', () => {
  it('indexes to the same index and bytes as decoding on the calling thread', async () => {
    const threaded = await indexSample(GOOD, 'generated', 1, onItsThread);
    const local = await indexSample(GOOD, 'generated', 1, onThisThread);
    try {
      expect(threaded.spilledBytes).toBeGreaterThan(MEMORY_SAMPLE_BYTES);
      expect(threaded.spilledBytes).toBe(local.spilledBytes);
      expect(threaded.index).toEqual(local.index);
      expect((await contents(threaded.bytes)).equals(await contents(local.bytes))).toBe(true);
      // Its thread ended with the indexing; only the spill files stay, until closed.
      expect(runningDecodeThreads()).toBe(0);
      expect(openSpills()).toHaveLength(2);
    } finally {
      await threaded.bytes.close();
      await local.bytes.close();
    }
    expect(openSpills()).toEqual([]);
  });

  it('fails on a corrupt frame as the calling thread does, typed, leaving nothing behind', async () => {
    // The second zstd frame's header with its reserved bit set: no decoder takes that frame.
    const path = await damaged('corrupt-frame.eval', (bytes, data) => {
      const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
      const second = bytes.indexOf(magic, data.offset + 4);
      expect(second).toBeGreaterThan(data.offset);
      expect(second).toBeLessThan(data.offset + data.size);
      bytes[second + 4]! |= 0x08;
    });
    const threaded = await failure(path, onItsThread);
    expect(threaded).toBeInstanceOf(SalvageError);
    expect(threaded).toMatchObject({ kind: 'corrupt-zip' });
    const local = (await failure(path, onThisThread)) as SalvageError;
    expect([(threaded as SalvageError).kind, (threaded as Error).message]).toEqual([
      local.kind,
      local.message,
    ]);
    expect(runningDecodeThreads()).toBe(0);
    expect(openSpills()).toEqual([]);
  });

  it('fails a CRC-32 mismatch typed, leaving nothing behind', async () => {
    // The directory record's CRC-32 (offset 16) off by one: the bytes decode, the check fails.
    const path = await damaged('crc.eval', (bytes, _data, record) =>
      bytes.writeUInt32LE((bytes.readUInt32LE(record + 16) + 1) >>> 0, record + 16),
    );
    const error = await failure(path, onItsThread);
    expectCleanFailure(error, 'crc-mismatch', GENERATED_ENTRY);
  });

  it('fails typed when its thread runs out of memory, leaving nothing behind', async () => {
    // A thread module that only fills its heap: the decode thread's memory limit ends it.
    const hungry = join(folder, 'hungry-worker.mjs');
    writeFileSync(
      hungry,
      'const kept = [];\nfor (;;) kept.push(new Array(100_000).fill(kept.length));\n',
    );
    const error = await failure(GOOD, { ...onItsThread, decodeWorkerUrl: pathToFileURL(hungry) });
    expectCleanFailure(error, 'out-of-memory', GOOD);
  });

  it('stops mid-index when aborted, leaving no thread and no spill file', async () => {
    // Aborted once its thread runs and some of the sample is decoded and written. On a busy
    // machine the index can end before the abort reaches it: then it is tried again.
    let abortedMidIndex = false;
    for (let attempt = 0; attempt < 5 && !abortedMidIndex; attempt++) {
      const controller = new AbortController();
      let settled = false;
      const indexing = indexSample(GOOD, 'generated', 1, {
        ...onItsThread,
        signal: controller.signal,
      })
        .then(
          async (indexed) => {
            await indexed.bytes.close();
            return 'finished';
          },
          (error: unknown) => error,
        )
        .finally(() => {
          settled = true;
        });
      const written = (): boolean => openSpills().some((fd) => fstatSync(fd).size > 0);
      while (!settled && !(runningDecodeThreads() === 1 && written()))
        await new Promise((resolve) => setImmediate(resolve));
      if (settled) {
        await indexing;
        continue;
      }
      controller.abort();
      const outcome = await indexing;
      if (outcome === 'finished') continue;
      abortedMidIndex = true;
      expect(outcome).toMatchObject({ name: 'AbortError' });
      expect(runningDecodeThreads()).toBe(0);
      expect(openSpills()).toEqual([]);
    }
    expect(abortedMidIndex).toBe(true);
  });
});
