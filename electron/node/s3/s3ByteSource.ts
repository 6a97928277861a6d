import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { checkRange, type ClosableByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { s3Access, type S3Access } from './s3Client.ts';
import { s3Call, s3Error } from './s3Errors.ts';
import { parseS3Url, s3Url, type S3Location } from './s3Url.ts';

/** An object as a listing or a HEAD describes it. */
export interface S3Object extends S3Location {
  readonly size: number;
  /** The ETag as the service writes it (quotes included): the version every read is pinned to. */
  readonly etag: string;
  readonly lastModified: Date;
}

/**
 * The end of an object fetched at once on the first read near it: the zip end records, and for
 * most logs the central directory, header and summaries, in one request.
 */
export const TAIL_BYTES = 256 * 1024;
/** Small reads go through aligned blocks of this size (local headers, small entries). */
export const BLOCK_BYTES = 256 * 1024;
/** Blocks kept per object: 8 MiB, whatever the object's size. */
const MAX_BLOCKS = 32;
/** A large read that continues the previous one fetches this much at least (streamed scans). */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;
/** A body cut mid-read is fetched again this many times before the read fails. */
const BODY_ATTEMPTS = 3;
const RETRY_BASE_MS = 200;

/**
 * A ByteSource over ranged GETs of one S3 object version.
 *
 * Every format reader reads through it unchanged. Reads are coalesced and cached so that the
 * cost follows what a reader needs, not the object's size: the object's tail is fetched once
 * (end records, directory, header), small reads share aligned blocks (concurrent reads of one
 * block share its request), and a large read that continues the previous one reads ahead.
 * Memory is bounded by the tail, the blocks and one read-ahead window.
 *
 * Every GET is pinned to the ETag seen first (If-Match, and the response's ETag checked, for
 * servers that ignore If-Match): an object replaced mid-read fails with `object-changed` instead
 * of mixing two versions' bytes.
 */
export class S3ByteSource implements ClosableByteSource {
  readonly object: S3Object;
  readonly url: string;
  /** Bytes received for this object (every GET's body): what tests and benchmarks weigh. */
  fetchedBytes = 0;
  private readonly access: S3Access;
  private tail: { readonly start: number; readonly bytes: Uint8Array } | null = null;
  private tailLoading: Promise<void> | null = null;
  private readonly blocks = new Map<number, Promise<Uint8Array>>();
  private window: { readonly start: number; readonly bytes: Uint8Array } | null = null;
  private lastEnd = -1;

  private constructor(object: S3Object, access: S3Access) {
    this.object = object;
    this.access = access;
    this.url = s3Url(object);
  }

  get size(): number {
    return this.object.size;
  }

  get etag(): string {
    return this.object.etag;
  }

  /** A source over an object a listing described: no request until the first read. */
  static fromObject(object: S3Object, access: S3Access): S3ByteSource {
    return new S3ByteSource(object, access);
  }

  /**
   * Open `s3://bucket/key`: one GET of its last bytes tells its size and ETag and holds what a
   * reader asks first. A server that reads a suffix range as a prefix (s3rver does) is detected
   * by the range it answers, and costs one more request.
   */
  static async open(url: string): Promise<S3ByteSource> {
    const location = parseS3Url(url);
    const access = await s3Access();
    const action = `Cannot read ${url}`;
    let response;
    try {
      response = await access.client.send(
        new GetObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Range: `bytes=-${TAIL_BYTES}`,
        }),
      );
    } catch (error) {
      // An empty object has no range to answer: its size and ETag come from a HEAD.
      if ((error as { name?: string }).name !== 'InvalidRange') throw s3Error(error, action);
      return new S3ByteSource(await headObject(location, access), access);
    }
    const bytes = await s3Call(action, () => response.Body!.transformToByteArray());
    const range = parseContentRange(response.ContentRange, bytes.length);
    const object: S3Object = {
      ...location,
      size: range.total,
      etag: response.ETag ?? '',
      lastModified: response.LastModified ?? new Date(0),
    };
    const source = new S3ByteSource(object, access);
    source.fetchedBytes = bytes.length;
    if (range.end === range.total && range.start === Math.max(0, range.total - TAIL_BYTES)) {
      source.tail = { start: range.start, bytes };
    } else if (range.start === 0) {
      // The first bytes came instead: they are the first blocks.
      source.keepBlocks(0, bytes);
    }
    return source;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.size, offset, length);
    if (length === 0) return new Uint8Array(0);
    const end = offset + length;
    const sequential = offset === this.lastEnd;
    this.lastEnd = end;
    if (offset >= Math.max(0, this.size - TAIL_BYTES)) {
      const tail = await this.loadTail();
      return tail.bytes.subarray(offset - tail.start, end - tail.start);
    }
    if (this.tail && end > this.tail.start) {
      // The part before the tail, then the tail's part.
      const head = await this.read(offset, this.tail.start - offset);
      return concat(head, this.tail.bytes.subarray(0, end - this.tail.start));
    }
    const window = this.window;
    if (window && offset >= window.start && end <= window.start + window.bytes.length)
      return window.bytes.subarray(offset - window.start, end - window.start);
    if (length <= BLOCK_BYTES) return this.readBlocks(offset, length);
    const fetchEnd = sequential
      ? Math.min(this.size, Math.max(end, offset + READ_AHEAD_BYTES))
      : end;
    const bytes = await this.fetch(offset, fetchEnd);
    if (fetchEnd > end) this.window = { start: offset, bytes };
    return bytes.subarray(0, length);
  }

  close(): Promise<void> {
    this.blocks.clear();
    this.tail = null;
    this.window = null;
    return Promise.resolve();
  }

  private loadTail(): Promise<{ start: number; bytes: Uint8Array }> {
    if (this.tail) return Promise.resolve(this.tail);
    this.tailLoading ??= (async () => {
      const start = Math.max(0, this.size - TAIL_BYTES);
      try {
        this.tail = { start, bytes: await this.fetch(start, this.size) };
      } finally {
        this.tailLoading = null;
      }
    })();
    return this.tailLoading.then(() => this.tail!);
  }

  /** A read of at most one block's length: one or two blocks, fetched together when both are missing. */
  private async readBlocks(offset: number, length: number): Promise<Uint8Array> {
    const first = Math.floor(offset / BLOCK_BYTES);
    const last = Math.floor((offset + length - 1) / BLOCK_BYTES);
    if (last > first && !this.blocks.has(first) && !this.blocks.has(last)) {
      const start = first * BLOCK_BYTES;
      const fetched = this.fetch(start, Math.min(this.size, (last + 1) * BLOCK_BYTES));
      this.remember(
        first,
        fetched.then((bytes) => bytes.subarray(0, BLOCK_BYTES)),
      );
      this.remember(
        last,
        fetched.then((bytes) => bytes.subarray(BLOCK_BYTES)),
      );
    }
    const at = offset - first * BLOCK_BYTES;
    if (first === last) return (await this.block(first)).subarray(at, at + length);
    const [head, tail] = await Promise.all([this.block(first), this.block(last)]);
    return concat(head.subarray(at), tail.subarray(0, length - (head.length - at)));
  }

  private block(number: number): Promise<Uint8Array> {
    const known = this.blocks.get(number);
    if (known) {
      // Most recently used last.
      this.blocks.delete(number);
      this.blocks.set(number, known);
      return known;
    }
    const start = number * BLOCK_BYTES;
    const block = this.fetch(start, Math.min(this.size, start + BLOCK_BYTES));
    this.remember(number, block);
    return block;
  }

  private remember(number: number, block: Promise<Uint8Array>): void {
    // A failed read must not stay cached.
    block.catch(() => {
      if (this.blocks.get(number) === block) this.blocks.delete(number);
    });
    this.blocks.set(number, block);
    while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
  }

  /** Keep bytes read from `start` (a block boundary) as the whole blocks they cover. */
  private keepBlocks(start: number, bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += BLOCK_BYTES) {
      const blockEnd = Math.min(this.size, start + at + BLOCK_BYTES);
      if (start + bytes.length < blockEnd) break;
      this.remember(
        (start + at) / BLOCK_BYTES,
        Promise.resolve(bytes.subarray(at, at + BLOCK_BYTES)),
      );
    }
  }

  /** Bytes [start, end) of the pinned version, fetched again when the connection breaks mid-body. */
  private async fetch(start: number, end: number): Promise<Uint8Array> {
    const action = `Cannot read ${this.url} (bytes ${start}-${end - 1})`;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchOnce(start, end);
      } catch (caught) {
        const error = s3Error(caught, action);
        const transient = error instanceof SalvageError && error.kind === 'endpoint-unreachable';
        if (!transient || attempt >= BODY_ATTEMPTS) throw error;
        await new Promise((done) => setTimeout(done, RETRY_BASE_MS * 2 ** (attempt - 1)));
      }
    }
  }

  private async fetchOnce(start: number, end: number): Promise<Uint8Array> {
    const response = await this.access.client.send(
      new GetObjectCommand({
        Bucket: this.object.bucket,
        Key: this.object.key,
        Range: `bytes=${start}-${end - 1}`,
        IfMatch: this.object.etag || undefined,
      }),
    );
    if (this.object.etag && response.ETag !== this.object.etag) {
      // The service ignored If-Match (not every S3-compatible server honours it).
      await response.Body?.transformToByteArray().catch(() => undefined);
      throw changedError(this.url, this.object.etag, response.ETag);
    }
    const bytes = await response.Body!.transformToByteArray();
    this.fetchedBytes += bytes.length;
    const range = parseContentRange(response.ContentRange, bytes.length);
    if (range.total !== this.size) throw changedError(this.url, this.object.etag, response.ETag);
    if (range.start !== start || range.end !== end || bytes.length !== end - start) {
      throw new SalvageError(
        'endpoint-unreachable',
        `Cannot read ${this.url}: the service answered bytes ${range.start}-${range.end - 1} (${bytes.length} bytes) for ${start}-${end - 1}.`,
      );
    }
    return bytes;
  }
}

/** The size, ETag and date of an object (one HEAD). */
export async function headObject(location: S3Location, access?: S3Access): Promise<S3Object> {
  const s3 = access ?? (await s3Access());
  const head = await s3Call(`Cannot read ${s3Url(location)}`, () =>
    s3.client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })),
  );
  return {
    ...location,
    size: head.ContentLength ?? 0,
    etag: head.ETag ?? '',
    lastModified: head.LastModified ?? new Date(0),
  };
}

function changedError(url: string, expected: string, found: string | undefined): SalvageError {
  return new SalvageError(
    'object-changed',
    `${url} was replaced while Salvage read it (ETag ${expected}, now ${found ?? 'unknown'}); open it again to read the new version.`,
  );
}

/** `bytes START-LAST/TOTAL` as [start, end) and the total; a full answer (no header) covers it all. */
function parseContentRange(
  header: string | undefined,
  length: number,
): { start: number; end: number; total: number } {
  const match = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header) : null;
  if (!match) return { start: 0, end: length, total: length };
  return { start: Number(match[1]), end: Number(match[2]) + 1, total: Number(match[3]) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
