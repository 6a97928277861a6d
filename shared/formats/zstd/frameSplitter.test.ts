import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeAllFrames, maxFramesFor, splitFrames, ZstdFrameSplitter } from './frameSplitter.ts';
import { nodeZlibCodecs } from '../../../electron/node/codecs/nodeZlibCodecs.ts';
import { SalvageError } from '../../util/errors.ts';

const frameOf = (text: string, checksum = false): Uint8Array =>
  new Uint8Array(
    zlib.zstdCompressSync(Buffer.from(text), {
      params: { [zlib.constants.ZSTD_c_checksumFlag]: checksum ? 1 : 0 },
    }),
  );

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function skippableFrame(payload: number): Uint8Array {
  const frame = new Uint8Array(8 + payload);
  const view = new DataView(frame.buffer);
  view.setUint32(0, 0x184d2a53, true);
  view.setUint32(4, payload, true);
  return frame;
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield await Promise.resolve(bytes.subarray(offset, offset + size));
  }
}

async function decode(bytes: Uint8Array, chunkSize: number): Promise<string> {
  const codecs = nodeZlibCodecs();
  const parts: Uint8Array[] = [];
  for await (const part of decodeAllFrames(chunks(bytes, chunkSize), (frame) =>
    codecs.zstdDecompress(frame),
  )) {
    parts.push(part);
  }
  return new TextDecoder().decode(concat(...parts));
}

describe('zstd frame splitting', () => {
  const first = 'first frame '.repeat(3000);
  const second = 'second, with a checksum '.repeat(2000);
  const third = 'third';
  const stream = concat(frameOf(first), frameOf(second, true), skippableFrame(5), frameOf(third));

  it('finds every frame boundary whatever the chunking', () => {
    for (const size of [1, 2, 3, 7, 64, 4096, stream.length]) {
      const splitter = new ZstdFrameSplitter();
      let ends = 0;
      let bytes = 0;
      for (let offset = 0; offset < stream.length; offset += size) {
        for (const slice of splitter.push(stream.subarray(offset, offset + size))) {
          bytes += slice.bytes.length;
          if (slice.frameEnd) ends += 1;
        }
      }
      expect(ends).toBe(4);
      expect(bytes).toBe(stream.length);
      expect(splitter.atFrameBoundary).toBe(true);
    }
  });

  it('decodes all frames, skipping skippable ones, where a single-frame decoder would stop at the first', async () => {
    for (const size of [1, 5, 1000, stream.length]) {
      expect(await decode(stream, size)).toBe(first + second + third);
    }
  });

  it('raises a typed error when the input ends inside a frame', async () => {
    const cut = stream.subarray(0, stream.length - 3);
    const error = await decode(cut, 4096).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SalvageError);
    expect((error as SalvageError).message).toMatch(/truncated/);
  });

  it('refuses bytes that are not a zstd frame', () => {
    const splitter = new ZstdFrameSplitter();
    expect(() => splitter.push(new TextEncoder().encode('{"not": "zstd"}'))).toThrow(SalvageError);
  });

  it('skips empty frames without a decoder, and refuses more tiny frames than an entry of its size holds (issue 15)', async () => {
    const empty = frameOf('');
    const content = frameOf('the sample');
    const many = new Uint8Array(60_000 * empty.length + content.length);
    for (let i = 0; i < 60_000; i++) many.set(empty, i * empty.length);
    many.set(content, 60_000 * empty.length);
    const codecs = nodeZlibCodecs();
    let decoders = 0;
    const parts: Uint8Array[] = [];
    for await (const part of decodeAllFrames(chunks(many, 1 << 20), (frame) => {
      decoders += 1;
      return codecs.zstdDecompress(frame);
    }))
      parts.push(part);
    expect(new TextDecoder().decode(concat(...parts))).toBe('the sample');
    expect(decoders).toBe(1);
    expect(splitFrames(many)).toHaveLength(1);
    // 2,000 frames of a few bytes each: far more than a 6,000-byte entry is split into.
    const tiny = concat(
      ...Array.from({ length: 60_000 }, (_, i) => frameOf(String(i % 1000).padStart(3, '0'))),
    );
    const limit = maxFramesFor(6_000);
    expect(limit).toBe(17);
    expect(() => splitFrames(tiny, limit)).toThrow(/more than 17 frames/);
    const refused = await (async () => {
      for await (const part of decodeAllFrames(
        chunks(tiny, 1 << 20),
        (frame) => codecs.zstdDecompress(frame),
        undefined,
        limit,
      ))
        void part;
    })().catch((error: unknown) => error);
    expect((refused as SalvageError).kind).toBe('size-limit');
  });
});
