import { SalvageError } from '../../util/errors.ts';
import { concatBytes } from '../bytes/littleEndian.ts';

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** A run of input bytes that belongs to one frame; `frameEnd` marks the frame's last bytes. */
export interface FrameSlice {
  readonly bytes: Uint8Array;
  readonly frameEnd: boolean;
  /** Skippable frames carry no content; decoders must not see them. */
  readonly skippable: boolean;
  /**
   * On a frame's last slice: the frame decodes to nothing, as its blocks show (raw or RLE blocks
   * of size 0 only): it needs no decoder. 60,000 empty frames cost a decoder each, 7 s a sample.
   */
  readonly empty?: boolean;
}

type State =
  | { kind: 'magic' }
  | { kind: 'frame-header-descriptor' }
  | { kind: 'header-rest'; remaining: number; checksum: boolean }
  | { kind: 'block-header'; checksum: boolean }
  | { kind: 'block-body'; remaining: number; last: boolean; checksum: boolean }
  | { kind: 'checksum'; remaining: number }
  | { kind: 'skippable-size' }
  | { kind: 'skippable-body'; remaining: number };

/**
 * Splits a zstd byte stream into its frames by walking frame and block headers (RFC 8878),
 * without decompressing.
 *
 * Inspect writes entries over 200 MiB as several concatenated frames, and some decoders (Node's
 * zlib among them) stop silently at the end of the first frame; splitting lets each frame get a
 * decoder of its own. Cost: a 3-byte header per block of up to 128 KiB.
 */
export class ZstdFrameSplitter {
  private state: State = { kind: 'magic' };
  /** Header bytes gathered across chunk boundaries (at most 14). */
  private header: number[] = [];
  private skippable = false;
  private frameJustEnded = false;
  /** The current frame's content is known from its blocks alone (raw and RLE only), and its size. */
  private contentKnown = true;
  private contentBytes = 0;
  frames = 0;

  /** Split one input chunk into slices, each inside a single frame. */
  push(chunk: Uint8Array): FrameSlice[] {
    const slices: FrameSlice[] = [];
    let sliceStart = 0;
    let i = 0;
    while (i < chunk.length) {
      const state = this.state;
      switch (state.kind) {
        case 'magic': {
          if (this.header.length === 0 && i + 4 <= chunk.length) {
            // The whole magic in this chunk: the frame's slice starts at it, nothing is copied
            // (frames of a few bytes each must cost little: a chunk may hold 100,000).
            this.header = [chunk[i]!, chunk[i + 1]!, chunk[i + 2]!, chunk[i + 3]!];
            this.classifyFrame();
            sliceStart = i;
            i += 4;
            break;
          }
          // A frame's bytes are held back until its magic says what kind of frame it is.
          this.header.push(chunk[i] as number);
          i += 1;
          if (this.header.length === 4) {
            const magic = Uint8Array.from(this.header);
            this.classifyFrame();
            slices.push({ bytes: magic, frameEnd: false, skippable: this.skippable });
            sliceStart = i;
          } else {
            sliceStart = i;
          }
          break;
        }
        case 'frame-header-descriptor':
        case 'skippable-size':
        case 'block-header': {
          this.header.push(chunk[i] as number);
          i += 1;
          this.advanceHeader();
          break;
        }
        case 'header-rest':
        case 'block-body':
        case 'checksum':
        case 'skippable-body': {
          const take = Math.min(state.remaining, chunk.length - i);
          i += take;
          state.remaining -= take;
          if (state.remaining === 0) this.finishCounted(state);
          break;
        }
      }
      if (this.frameJustEnded) {
        // The frame ended at byte i: close its slice.
        this.frameJustEnded = false;
        slices.push({
          bytes: chunk.subarray(sliceStart, i),
          frameEnd: true,
          skippable: this.skippable,
          empty: this.contentKnown && this.contentBytes === 0,
        });
        sliceStart = i;
      }
    }
    if (sliceStart < chunk.length && this.state.kind !== 'magic') {
      slices.push({
        bytes: chunk.subarray(sliceStart),
        frameEnd: false,
        skippable: this.skippable,
      });
    }
    return slices;
  }

  /** True when the input ended exactly at a frame boundary (and held at least one frame). */
  get atFrameBoundary(): boolean {
    return this.state.kind === 'magic' && this.header.length === 0 && this.frames > 0;
  }

  private classifyFrame(): void {
    const bytes = this.header;
    const magic = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
    this.header = [];
    this.contentKnown = true;
    this.contentBytes = 0;
    if (magic === ZSTD_MAGIC) {
      this.skippable = false;
      this.state = { kind: 'frame-header-descriptor' };
    } else if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      this.skippable = true;
      this.state = { kind: 'skippable-size' };
    } else {
      throw new SalvageError(
        'corrupt-zip',
        `Not a zstd frame (magic 0x${magic.toString(16)} after ${this.frames} frames); the compressed data is corrupt.`,
      );
    }
  }

  private advanceHeader(): void {
    const bytes = this.header;
    switch (this.state.kind) {
      case 'frame-header-descriptor': {
        const descriptor = bytes[0]!;
        this.header = [];
        const contentSizeFlag = descriptor >>> 6;
        const singleSegment = (descriptor >>> 5) & 1;
        const checksum = ((descriptor >>> 2) & 1) === 1;
        const dictionaryIdFlag = descriptor & 3;
        const windowBytes = singleSegment ? 0 : 1;
        const dictionaryBytes = [0, 1, 2, 4][dictionaryIdFlag]!;
        const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]!;
        const remaining = windowBytes + dictionaryBytes + contentSizeBytes;
        this.state =
          remaining > 0
            ? { kind: 'header-rest', remaining, checksum }
            : { kind: 'block-header', checksum };
        return;
      }
      case 'skippable-size': {
        if (bytes.length < 4) return;
        const size = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
        this.header = [];
        this.state = { kind: 'skippable-body', remaining: size };
        if (size === 0) this.endFrame();
        return;
      }
      case 'block-header': {
        if (bytes.length < 3) return;
        const value = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16);
        const checksum = this.state.checksum;
        this.header = [];
        const last = (value & 1) === 1;
        const type = (value >>> 1) & 3;
        const size = value >>> 3;
        if (type === 3) {
          throw new SalvageError(
            'corrupt-zip',
            'Reserved zstd block type: the compressed data is corrupt.',
          );
        }
        const bodyBytes = type === 1 ? 1 : size;
        // Raw (0) and RLE (1) blocks regenerate `size` bytes; a compressed block, unknown.
        if (type === 2) this.contentKnown = false;
        else this.contentBytes += size;
        if (bodyBytes > 0) {
          this.state = { kind: 'block-body', remaining: bodyBytes, last, checksum };
        } else {
          this.afterBlock(last, checksum);
        }
        return;
      }
      default:
        return;
    }
  }

  private finishCounted(state: State): void {
    switch (state.kind) {
      case 'header-rest':
        this.state = { kind: 'block-header', checksum: state.checksum };
        return;
      case 'block-body':
        this.afterBlock(state.last, state.checksum);
        return;
      case 'checksum':
      case 'skippable-body':
        this.endFrame();
        return;
      default:
        return;
    }
  }

  private afterBlock(last: boolean, checksum: boolean): void {
    if (!last) {
      this.state = { kind: 'block-header', checksum };
    } else if (checksum) {
      this.state = { kind: 'checksum', remaining: 4 };
    } else {
      this.endFrame();
    }
  }

  private endFrame(): void {
    this.state = { kind: 'magic' };
    this.frames += 1;
    this.frameJustEnded = true;
  }
}

/** A frame whose compressed bytes end within this many is gathered whole before it is decoded. */
const SMALL_FRAME_BYTES = 1024 * 1024;

/**
 * Decode every frame of a zstd stream, each through a fresh single-frame decoder.
 *
 * A frame known to be empty from its blocks gets no decoder, and a small frame (whole within
 * 1 MiB) goes to `decodeSmallFrame` when given (one call on the calling thread, instead of a
 * stream: a stream per frame cost 0.5 ms, and 60,000 tiny frames 30 s); it returns null to have
 * the frame streamed after all (its output would be too large to hold at once).
 *
 * Input that ends inside a frame raises a typed error after the partial output, so a truncated
 * entry is never mistaken for a complete one.
 */
export async function* decodeAllFrames(
  input: AsyncIterable<Uint8Array>,
  decodeFrame: (frame: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>,
  decodeSmallFrame?: (frame: Uint8Array) => Uint8Array | null,
  maxFrames = Number.POSITIVE_INFINITY,
): AsyncGenerator<Uint8Array> {
  let decoded = 0;
  const splitter = new ZstdFrameSplitter();
  const source = input[Symbol.asyncIterator]();
  let queued: FrameSlice[] = [];
  // An index, not shift(): a chunk of tiny frames queues 100,000 slices, and shift is linear.
  let next = 0;
  let exhausted = false;

  const nextSlice = async (): Promise<FrameSlice | undefined> => {
    while (next === queued.length) {
      if (exhausted) return undefined;
      const step = await source.next();
      if (step.done) {
        exhausted = true;
        return undefined;
      }
      queued = splitter.push(step.value);
      next = 0;
    }
    return queued[next++];
  };

  const frame = { done: false };
  /** The frame's bytes: the slices gathered already, then the rest as it comes. */
  async function* frameInput(gathered: ReadonlyArray<FrameSlice>): AsyncGenerator<Uint8Array> {
    for (const slice of gathered) {
      if (slice.bytes.length > 0) yield slice.bytes;
      if (slice.frameEnd) {
        frame.done = true;
        return;
      }
    }
    for (let slice = await nextSlice(); slice; slice = await nextSlice()) {
      if (slice.bytes.length > 0) yield slice.bytes;
      if (slice.frameEnd) {
        frame.done = true;
        return;
      }
    }
  }

  const failed = (error: unknown): SalvageError => {
    if (error instanceof SalvageError) return error;
    const truncated = exhausted && !splitter.atFrameBoundary;
    return new SalvageError(
      'corrupt-zip',
      truncated
        ? 'The zstd data ends in the middle of a frame: it was truncated.'
        : `The zstd data could not be decoded (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  };

  try {
    for (let slice = await nextSlice(); slice; slice = await nextSlice()) {
      if (slice.skippable) {
        while (slice && !slice.frameEnd) slice = await nextSlice();
        continue;
      }
      // Gather the frame while it is small: most frames end within a few bytes or megabytes.
      const gathered: FrameSlice[] = [slice];
      let size = slice.bytes.length;
      let last: FrameSlice | undefined = slice;
      while (!last.frameEnd && size <= SMALL_FRAME_BYTES) {
        last = await nextSlice();
        if (!last) break;
        gathered.push(last);
        size += last.bytes.length;
      }
      if (last?.frameEnd && last.empty) continue;
      if (++decoded > maxFrames) throw tooManyFrames(maxFrames);
      if (last?.frameEnd && decodeSmallFrame) {
        let output: Uint8Array | null;
        try {
          output = decodeSmallFrame(concatBytes(gathered.map((part) => part.bytes)));
        } catch (error) {
          throw failed(error);
        }
        if (output !== null) {
          if (output.length > 0) yield output;
          continue;
        }
      }
      frame.done = false;
      try {
        yield* decodeFrame(frameInput(gathered));
      } catch (error) {
        throw failed(error);
      }
      // A decoder that stopped reading early must not leave this frame's tail to the next one.
      while (!frame.done) {
        const rest = await nextSlice();
        if (!rest) break;
        frame.done = rest.frameEnd;
      }
    }
  } finally {
    await source.return?.();
  }
  if (!splitter.atFrameBoundary && splitter.frames > 0) {
    throw new SalvageError(
      'corrupt-zip',
      'The zstd data ends in the middle of a frame: it was truncated.',
    );
  }
  if (splitter.frames === 0) {
    throw new SalvageError(
      'corrupt-zip',
      'The zstd data holds no complete frame: it was truncated.',
    );
  }
}

/** The non-skippable, non-empty frames of complete zstd bytes; a typed error when they end inside a frame. */
export function splitFrames(bytes: Uint8Array, maxFrames = Number.POSITIVE_INFINITY): Uint8Array[] {
  const splitter = new ZstdFrameSplitter();
  const frames: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  for (const slice of splitter.push(bytes)) {
    if (!slice.skippable) current.push(slice.bytes);
    if (slice.frameEnd) {
      if (current.length > 0 && !slice.empty) {
        if (frames.length >= maxFrames) throw tooManyFrames(maxFrames);
        frames.push(concatBytes(current));
      }
      current = [];
    }
  }
  if (!splitter.atFrameBoundary) {
    throw new SalvageError(
      'corrupt-zip',
      'The zstd data ends in the middle of a frame: it was truncated.',
    );
  }
  return frames;
}

/**
 * The most frames an entry of `declaredBytes` may be split into (empty frames aside, which cost
 * nothing): each needs a decoder of its own, ~50 µs even for a frame of three bytes, so 60,000
 * tiny frames in a 700 KB entry cost seconds a read. Inspect starts a frame every 200 MiB; a
 * frame every 64 KiB (the smallest any writer was seen to use) is allowed, and a few more.
 */
export function maxFramesFor(declaredBytes: number): number {
  return 16 + Math.ceil(declaredBytes / (64 * 1024));
}

function tooManyFrames(maxFrames: number): SalvageError {
  return new SalvageError(
    'size-limit',
    `The zstd data is split into more than ${maxFrames} frames for its size; the entry is corrupt.`,
  );
}
