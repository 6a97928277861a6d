import type { ByteSource, ClosableByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import { JsonLogReader } from '../../../shared/formats/inspect-json/jsonLogReader.ts';
import type { RunReader } from '../../../shared/formats/runReader.ts';
import type { LogFormat } from '../../../shared/model/log.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';
import { JsonlRunReader } from '../../../shared/formats/jsonl/jsonlRunReader.ts';
import { jsonlRunKind, readRunContext } from './jsonlRuns.ts';
import { extname } from 'node:path';
import { isS3Url, parseS3Url } from '../s3/s3Url.ts';
import { stat } from 'node:fs/promises';
import { fileError } from '../io/fileErrors.ts';
import { runFacts, type RunFacts } from '../../../shared/model/runFacts.ts';
import { bufferReads } from '../io/bufferReads.ts';
import { scanJsonLogFacts } from '../../../shared/formats/inspect-json/jsonLogFacts.ts';

/** The format a file claims by its name, as Inspect picks a recorder by extension. */
export function formatFromPath(path: string): LogFormat | null {
  const extension = extname(path).toLowerCase();
  if (extension === '.eval') return 'inspect-eval';
  if (extension === '.json') return 'inspect-json';
  return null;
}

/** Open a reader over a source, choosing the format by name and confirming it by the first bytes. */
export async function openLogReader(
  source: ByteSource,
  path: string,
  codecs: Codecs = defaultCodecs(),
): Promise<RunReader> {
  const jsonlKind = jsonlRunKind(path);
  if (jsonlKind) return new JsonlRunReader(source, readRunContext(path, jsonlKind));
  const claimed = formatFromPath(path);
  if (claimed === 'inspect-eval') return EvalLogReader.open(source, codecs);
  const head = source.size > 0 ? (await source.read(0, Math.min(64, source.size)))[0] : undefined;
  const looksLikeZip = head === 0x50; // 'P' of PK\x03\x04
  if (claimed === null && looksLikeZip) return EvalLogReader.open(source, codecs);
  if (claimed === 'inspect-json') return JsonLogReader.open(source);
  throw new SalvageError(
    'unsupported-format',
    `${path} is neither an Inspect .eval nor a .json log.`,
  );
}

/**
 * What the runs list shows of an Inspect log (a local file or an object): a `.json` log's from a
 * scan that parses its header and its samples' fact fields alone (scanJsonLogFacts), any other
 * log's from its header and summaries. A `.json` log the scan cannot answer for is read by its
 * reader, whose errors say what is wrong.
 */
export async function readRunFacts(
  source: ByteSource,
  path: string,
  codecs?: Codecs,
): Promise<RunFacts> {
  if (formatFromPath(path) === 'inspect-json') {
    const scanned = await scanJsonLogFacts(bufferReads(source));
    if (scanned) return runFacts(scanned.header, scanned.summaries);
  }
  const reader = await openLogReader(source, path, codecs);
  return runFacts(await reader.readHeader(), await reader.readSummaries());
}

/**
 * The bytes of a log wherever it lives: a local file, or an object in S3 (`s3://bucket/key`).
 * The one place where a location's kind decides how it is read.
 */
export async function openLogSource(location: string): Promise<ClosableByteSource> {
  if (!isS3Url(location)) return FileByteSource.open(location);
  // The S3 modules load the AWS SDK (a quarter second of CPU): imported when a location in a
  // bucket is met, so a local listing, its worker threads and the CLI never pay for it.
  const { S3ByteSource } = await import('../s3/s3ByteSource.ts');
  return S3ByteSource.open(location);
}

/**
 * What names a log's current bytes (size, date and inode of a file; ETag and size of an object):
 * a changed log has another version, so nothing read from the older one is served for it.
 */
export async function versionOf(location: string): Promise<string> {
  if (isS3Url(location)) {
    const { headObject } = await import('../s3/s3ByteSource.ts');
    const object = await headObject(parseS3Url(location));
    return [object.etag, object.size].join('\u0000');
  }
  let stats;
  try {
    stats = await stat(location);
  } catch (error) {
    throw fileError(error, location);
  }
  return [stats.size, stats.mtimeMs, stats.ino].join('\u0000');
}

/** Open a log (a file or an S3 object) and run `use` with its reader, closing it afterwards. */
export async function withLog<T>(
  path: string,
  use: (reader: RunReader, source: ClosableByteSource) => Promise<T>,
  codecs?: Codecs,
): Promise<T> {
  const source = await openLogSource(path);
  try {
    return await use(await openLogReader(source, path, codecs), source);
  } finally {
    await source.close();
  }
}
