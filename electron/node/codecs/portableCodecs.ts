import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { crc32 } from '../../../shared/formats/zip/crc32.ts';
import { through } from './nodeZlibCodecs.ts';

/** The low-level streaming binding of zstd-codec (its Simple and Streaming APIs run out of memory above 10–32 MB). */
interface ZstdDecompressStreamBinding {
  begin(): boolean;
  transform(chunk: Uint8Array, onOutput: (output: Uint8Array) => void): boolean;
  flush(onOutput: (output: Uint8Array) => void): boolean;
  end(onOutput: (output: Uint8Array) => void): boolean;
  delete(): void;
}

interface ZstdBindingModule {
  ZstdDecompressStreamBinding: new () => ZstdDecompressStreamBinding;
}

/** Input handed to the WASM decoder per call: its fixed heap aborts out of memory on an 8 MiB read's output at once. */
const PORTABLE_FEED_BYTES = 256 * 1024;

let bindingPromise: Promise<{ readonly binding: ZstdBindingModule }> | undefined;

/** The binding stays boxed: the Emscripten module has a `then` method, so a promise resolved with it never settles. */
function loadBinding(): Promise<{ readonly binding: ZstdBindingModule }> {
  bindingPromise ??= new Promise((resolve) => {
    const require = createRequire(import.meta.url);
    const module = require('zstd-codec/lib/module.js') as {
      run: (callback: (binding: ZstdBindingModule) => void) => void;
    };
    module.run((binding) => resolve({ binding }));
  });
  return bindingPromise;
}

/**
 * Portable codecs for runtimes without zstd in node:zlib: zstd-codec's WASM decoder through its
 * low-level streaming binding, and the JS CRC-32. DEFLATE still uses zlib, which every Node has.
 */
export function portableCodecs(): Codecs {
  return {
    name: 'zstd-codec',
    inflateRaw: (input) => inflateRaw(input),
    zstdDecompress: (input) => zstdCodecDecompress(input),
    crc32,
  };
}

function inflateRaw(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return through(input, zlib.createInflateRaw());
}

async function* zstdCodecDecompress(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { binding } = await loadBinding();
  const stream = new binding.ZstdDecompressStreamBinding();
  try {
    if (!stream.begin()) throw new Error('zstd-codec could not start a decompression stream');
    let pending: Uint8Array[] = [];
    // The binding hands out views of WASM memory that the next call overwrites: copy them.
    const collect = (output: Uint8Array): void => {
      pending.push(output.slice());
    };
    for await (const chunk of input) {
      for (let offset = 0; offset < chunk.length; offset += PORTABLE_FEED_BYTES) {
        const piece = chunk.subarray(offset, offset + PORTABLE_FEED_BYTES);
        if (!stream.transform(piece, collect)) throw new Error('zstd-codec rejected the input');
        yield* pending;
        pending = [];
      }
    }
    if (!stream.flush(collect) || !stream.end(collect)) {
      throw new Error('zstd-codec could not finish the stream');
    }
    yield* pending;
  } finally {
    stream.delete();
  }
}
