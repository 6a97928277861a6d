// The crashing inputs of the issue 15 campaign, made again from its descriptions and saved as
// regression inputs beside the fuzz harness's own (run once: `node test/fuzz-regressions/issueCases.ts`;
// the files it writes are committed, this script is their provenance).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { MemoryZipSink, ZipWriter } from '../../electron/node/zip/zipWriter.ts';
import { bundle, crashSeed } from '../fuzz/families.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const encoder = new TextEncoder();
const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

function save(family: string, name: string, input: Uint8Array, found: string): void {
  mkdirSync(join(HERE, family), { recursive: true });
  writeFileSync(join(HERE, family, `${name}.bin`), input);
  writeFileSync(
    join(HERE, family, `${name}.json`),
    `${JSON.stringify({ family, name, found, source: 'issue 15 campaign', bytes: input.length }, null, 2)}\n`,
  );
}

const START = {
  version: 2,
  eval: { task: 't', model: 'm', created: '2026-11-24T00:00:00+00:00' },
  plan: {},
};

async function archive(
  entries: ReadonlyArray<readonly [string, Uint8Array, number?]>,
): Promise<Uint8Array> {
  const sink = new MemoryZipSink();
  const writer = new ZipWriter(sink);
  for (const [name, data, method] of entries) await writer.add(name, data, { method: method ?? 8 });
  await writer.finish();
  return sink.bytes();
}

/** A zip whose only entries are given raw: name, method, compressed bytes, CRC and declared size. */
async function rawArchive(
  entries: ReadonlyArray<{
    name: string;
    method: number;
    data: Uint8Array;
    crc: number;
    size: number;
  }>,
): Promise<Uint8Array> {
  const sink = new MemoryZipSink();
  const writer = new ZipWriter(sink);
  for (const entry of entries) {
    await writer.addRaw(
      entry.name,
      {
        method: entry.method,
        crc32: entry.crc,
        compressedSize: entry.data.length,
        uncompressedSize: entry.size,
      },
      (async function* () {
        yield await Promise.resolve(entry.data);
      })(),
    );
  }
  await writer.finish();
  return sink.bytes();
}

// 1. input_refs far out of bounds: reading one sample ran for minutes at 2.7 GB.
save(
  'eval',
  'issue15-input-refs-out-of-bounds',
  await archive([
    ['_journal/start.json', json(START)],
    [
      'samples/1_epoch_1.json',
      json({
        id: 1,
        epoch: 1,
        input: 'x',
        events: [
          {
            event: 'model',
            input_refs: [
              [-200000000, 0],
              [-200000000, 5],
              [0, 1e15],
            ],
          },
        ],
        events_data: { messages: [{ role: 'user', content: 'hi' }], calls: [] },
      }),
    ],
  ]),
  'hang: one sample took minutes and 2.7 GB (a range walked 200 million places)',
);

// 2. A 17 KB archive whose header.json inflates to 511 MiB of spaces: 16 s and 1.7 GB per `ls`.
{
  const size = 511 * 1024 * 1024;
  const spaces = Buffer.alloc(size, 0x20);
  const compressed = zlib.zstdCompressSync(spaces, {
    params: { [zlib.constants.ZSTD_c_compressionLevel]: 19 },
  });
  const crc = zlib.crc32(spaces);
  save(
    'eval',
    'issue15-header-bomb-511MiB',
    await rawArchive([
      {
        name: '_journal/start.json',
        method: 0,
        data: json(START),
        crc: zlib.crc32(json(START)),
        size: json(START).length,
      },
      { name: 'header.json', method: 93, data: new Uint8Array(compressed), crc, size },
    ]),
    'memory and time: a header of 511 MiB of spaces, declared, decoded in full (1.67 GB, 15.8 s)',
  );
}

// 3. 60,000 empty zstd frames before a sample: a decoder per frame, ~7 s a sample.
{
  const sample = json({ id: 1, epoch: 1, input: 'x', messages: [] });
  const empty = new Uint8Array(zlib.zstdCompressSync(Buffer.alloc(0)));
  const frames = new Uint8Array(60_001 * empty.length + 64);
  let at = 0;
  for (let i = 0; i < 60_000; i++, at += empty.length) frames.set(empty, at);
  const content = new Uint8Array(zlib.zstdCompressSync(sample));
  frames.set(content, at);
  save(
    'eval',
    'issue15-60000-empty-zstd-frames',
    await rawArchive([
      {
        name: '_journal/start.json',
        method: 0,
        data: json(START),
        crc: zlib.crc32(json(START)),
        size: json(START).length,
      },
      {
        name: 'samples/1_epoch_1.json',
        method: 93,
        data: frames.subarray(0, at + content.length),
        crc: zlib.crc32(sample),
        size: sample.length,
      },
    ]),
    'time: a decoder per empty zstd frame',
  );
}

// 4. Deep values: 9,000 levels in metadata (3,000 overflowed), an attachment at the bottom, a deep id.
{
  const deep = (levels: number, leaf: string): string =>
    '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);
  const text = `{"id": 1, "epoch": 1, "input": "attachment://h", "metadata": ${deep(9_000, '"attachment://h"')}, "attachments": {"h": "resolved"}, "scores": {"s": {"value": ${deep(3_000, 'NaN')}}}}`;
  const summaries = `[{"id": ${deep(5_000, '12345678901234567890')}, "epoch": 1, "input": ${'['.repeat(5000)}"x"${']'.repeat(5000)}}]`;
  save(
    'eval',
    'issue15-deep-values',
    await archive([
      ['_journal/start.json', json(START)],
      ['samples/1_epoch_1.json', encoder.encode(text)],
      ['_journal/summaries/1.json', encoder.encode(summaries)],
    ]),
    'stack overflow: the reviver, summary thinning, attachment resolution, scalar text and the writer recursed',
  );
}

// 5. Ids beyond 2^53 inside objects, and ids whose valueOf and toString are not functions.
save(
  'eval',
  'issue15-object-ids',
  await archive([
    ['_journal/start.json', json(START)],
    [
      '_journal/summaries/1.json',
      encoder.encode(
        '[{"id": {"n": 12345678901234567890}, "epoch": 1}, {"id": {"valueOf": 1, "toString": 2}, "epoch": {"valueOf": 1, "toString": 2}, "scores": {"s": {"value": {"valueOf": 1, "toString": 2}}}}]',
      ),
    ],
    [
      'samples/1_epoch_1.json',
      encoder.encode('{"id": {"n": 12345678901234567890}, "epoch": {"valueOf": 1, "toString": 2}}'),
    ],
  ]),
  'untyped: BigInt cannot be stringified; Cannot convert object to primitive value',
);

// 6. A chunked sample whose one message chunk holds 150,000 messages: push(...chunk) overflowed.
{
  const messages = Array.from({ length: 150_000 }, (_, i) => ({ role: 'user', content: `${i}` }));
  const folder = 'samples/1_epoch_1/';
  save(
    'eval',
    'issue15-chunk-of-150000-messages',
    await archive([
      ['_journal/start.json', json(START)],
      [`${folder}sample.json`, json({ id: 1, epoch: 1, message_refs: [[0, 150_000]] })],
      [`${folder}messages/0.json`, json(messages)],
      [`${folder}events/0.json`, json([])],
    ]),
    'stack overflow: push(...chunk) of 150,000 items',
  );
}

// 7. A .json log with a raw control character and a bad escape in its top-level keys.
save(
  'json-log',
  'issue15-control-characters-in-keys',
  encoder.encode(
    '{"version": 2, "sta\u0001tus": "started", "eval": {}, "ev\\qal": 1, "samples": []}',
  ),
  'untyped: SyntaxError from the key of a top-level member',
);

// 8. The parser's marker written by a user, beside a bare NaN (read as Infinity; written as NaN).
save(
  'inspect-json',
  'issue15-sentinel-strings',
  encoder.encode(
    '{"a": "\\u0000salvage-number:Infinity", "b": "\\u0000salvage-number:0", "c": NaN, "d": ["\\u0000salvage-number:-Infinity", 12345678901234567890]}',
  ),
  'wrong value: a user string read back as the number Infinity, and written as NaN',
);

// 9. Deep nesting with a NaN: the reviver ran, recursively, and overflowed at 3,000 levels.
save(
  'inspect-json',
  'issue15-deep-nan',
  encoder.encode('['.repeat(100_000) + 'NaN' + ']'.repeat(100_000)),
  'stack overflow: the JSON.parse reviver recursed',
);

// 10. Recovery: prototype keys in usage, a metadata_hash that is a path, a damaged database.
{
  const seed = crashSeed();
  const names = [...seed.keys()];
  const manifestName = names.find((name) => name.endsWith('manifest.json'))!;
  const manifest = new TextDecoder().decode(seed.get(manifestName));
  const polluted = manifest
    .replaceAll(
      '"model_usage": {',
      '"role_usage": {"__proto__": {"input_tokens": 5, "toString": 7}}, "model_usage": {',
    )
    .replaceAll(
      '"metadata_hash": "summary"',
      '"metadata_hash": "/../../../../../../../../../etc/passwd"',
    );
  const files = new Map(seed);
  files.set(manifestName, encoder.encode(polluted));
  save(
    'recovery',
    'issue15-proto-usage-and-metadata-hash-path',
    bundle(files),
    'prototype pollution (model_usage/role_usage summed onto Object.prototype); a read outside the folder',
  );

  const scratch = mkdtempSync(join(tmpdir(), 'issue-cases-'));
  const dbName = names.find((name) => name.endsWith('.db'))!;
  for (const [label, sql] of [
    ['missing-events-table', 'DROP TABLE events'],
    ['missing-content-column', 'ALTER TABLE attachments DROP COLUMN content'],
    ['integer-beyond-2^53', 'UPDATE events SET id = id + 9007199254740993'],
  ] as const) {
    const path = join(scratch, `${label}.db`);
    writeFileSync(path, seed.get(dbName)!);
    writeFileSync(`${path}-wal`, seed.get(`${dbName}-wal`)!);
    const db = new DatabaseSync(path);
    db.exec(sql);
    db.close();
    const damaged = new Map(seed);
    damaged.set(dbName, new Uint8Array(readFileSync(path)));
    damaged.delete(`${dbName}-wal`);
    damaged.delete(`${dbName}-shm`);
    save(
      'recovery',
      `issue15-database-${label}`,
      bundle(damaged),
      'untyped: an SQLite error after the buffer database opened',
    );
  }
  rmSync(scratch, { recursive: true, force: true });
}

console.log('issue cases written');
