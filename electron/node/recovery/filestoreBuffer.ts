import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MemoryByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { readCentralDirectory } from '../../../shared/formats/zip/centralDirectory.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { readEntryText } from '../../../shared/formats/zip/entryReader.ts';
import type { ZipDirectory } from '../../../shared/formats/zip/zipEntry.ts';
import {
  isJsonObject,
  parseInspectJson,
  type JsonObject,
  type JsonValue,
  type ParseOptions,
} from '../../../shared/formats/json/inspectJson.ts';
import { numberFrom, scalarText, sampleKey } from '../../../shared/model/log.ts';
import type {
  BufferedSample,
  BufferedSampleData,
  EventRow,
  SampleBuffer,
} from '../../../shared/recovery/sampleBuffer.ts';
import { SalvageError, isSalvageError, isStorageAccessError } from '../../../shared/util/errors.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';
import { confinedRealPath, readConfinedFile, realPath } from '../io/confinedPath.ts';
import { setOwn } from '../../../shared/util/records.ts';

/** Segments kept open at once (see recentSegments). */
const RECENT_SEGMENTS = 4;

/**
 * Where a filestore's files are read: its folder beside a local log, or its prefix beside a log
 * in a bucket (`s3/s3Filestore.ts`).
 */
export interface FilestoreFiles {
  /** The filestore's folder or URL, for messages and the recovery plan. */
  readonly location: string;
  /**
   * A file's bytes (`manifest.json`, `segment.3.zip`), or null when it is not there; a name
   * that would lead outside the filestore is refused. `what` names the file in messages.
   */
  read(name: string, what: string): Promise<Uint8Array | null>;
}

/**
 * The files of a filestore folder on this machine. The folder must lie within `within` (by
 * default the folder of its log, two folders up from `.buffer/<log>/`), links resolved, and so
 * must every file read: a buffer is content from elsewhere, and a link in it must not read
 * outside the folders the user opened.
 */
export function localFilestoreFiles(
  folder: string,
  within: string = dirname(dirname(resolve(folder))),
): FilestoreFiles {
  let root: string | null = null;
  return {
    location: folder,
    read: (name, what) => {
      root ??= confinedRealPath(folder, realPath(within), 'The buffer folder');
      const path = join(folder, name);
      return Promise.resolve(existsSync(path) ? readConfinedFile(path, root, what) : null);
    },
  };
}

interface ManifestSample {
  readonly summary: JsonObject;
  readonly segments: ReadonlyArray<number>;
  readonly metadataHash: string | null;
}

/** What a manifest's `metadata_hash` may be to become part of a file name: a hash, never a path. */
const METADATA_HASH = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Inspect's `--log-shared` filestore (`.buffer/<log>/`): a manifest and segment zips, each segment
 * holding, per sample, the database rows synced since the previous segment.
 *
 * Segments are read one at a time, and only the member of the sample asked for.
 */
export class FilestoreBuffer implements SampleBuffer {
  readonly source = 'filestore' as const;
  readonly location: string;
  private readonly files: FilestoreFiles;
  readonly warnings: string[] = [];
  private readonly manifest: ReadonlyArray<ManifestSample>;
  private readonly bySample: ReadonlyMap<string, ManifestSample>;
  private readonly codecs: Codecs;
  private readonly parseOptions: ParseOptions;
  /** The few segments read last: consecutive samples share segments, and this keeps memory at a few segments. */
  private readonly recentSegments = new Map<
    number,
    { source: MemoryByteSource; directory: ZipDirectory } | null
  >();

  private constructor(
    files: FilestoreFiles,
    manifest: ReadonlyArray<ManifestSample>,
    codecs: Codecs,
    parseOptions: ParseOptions,
  ) {
    this.files = files;
    this.location = files.location;
    this.parseOptions = parseOptions;
    this.manifest = manifest;
    this.bySample = new Map(
      manifest.map((sample) => [sampleKey(sample.summary.id, sample.summary.epoch), sample]),
    );
    this.codecs = codecs;
  }

  /**
   * Open a filestore (a local folder, confined as localFilestoreFiles says, or files read from
   * elsewhere); `parseOptions.lossless` keeps numbers' text, for a recovery that writes them back.
   */
  static async open(
    folder: string | FilestoreFiles,
    codecs: Codecs = defaultCodecs(),
    parseOptions: ParseOptions = {},
  ): Promise<FilestoreBuffer> {
    const files = typeof folder === 'string' ? localFilestoreFiles(folder) : folder;
    const path = `${files.location}/manifest.json`;
    let manifest: JsonValue;
    try {
      const bytes = await files.read('manifest.json', 'The buffer manifest');
      if (bytes === null) throw new Error('it is missing');
      manifest = parseInspectJson(new TextDecoder().decode(bytes), path, parseOptions);
    } catch (error) {
      if (isSalvageError(error) && error.kind !== 'invalid-json') throw error;
      throw new SalvageError(
        'not-a-buffer',
        `The buffer manifest ${path} cannot be read: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!isJsonObject(manifest) || !Array.isArray(manifest.samples)) {
      throw new SalvageError('not-a-buffer', `The buffer manifest ${path} has no "samples" list.`);
    }
    const samples: ManifestSample[] = [];
    for (const entry of manifest.samples as JsonValue[]) {
      if (!isJsonObject(entry) || !isJsonObject(entry.summary)) continue;
      const segments = (Array.isArray(entry.segments) ? (entry.segments as JsonValue[]) : [])
        // Since 0.3.240 a segment is a cursor object; before, its plain id.
        .map((segment) => (isJsonObject(segment) ? segment.id : segment))
        // A segment id becomes part of a file name: a whole number, nothing else.
        .filter((id): id is number => Number.isSafeInteger(id) && (id as number) >= 0);
      const hash = entry.metadata_hash;
      samples.push({
        summary: entry.summary,
        segments,
        metadataHash: typeof hash === 'string' && METADATA_HASH.test(hash) ? hash : null,
      });
    }
    return new FilestoreBuffer(files, samples, codecs, parseOptions);
  }

  async samples(): Promise<BufferedSample[]> {
    const samples: BufferedSample[] = [];
    for (const sample of this.manifest)
      samples.push({ summary: sample.summary, metadata: await this.fullMetadata(sample) });
    return samples;
  }

  async sampleData(id: string, epoch: number): Promise<BufferedSampleData> {
    const sample = this.bySample.get(sampleKey(id, epoch));
    const events: EventRow[] = [];
    const attachments: Record<string, JsonValue> = {};
    const messageRows: Array<[number, JsonValue]> = [];
    const callRows: Array<[number, JsonValue]> = [];
    for (const segment of [...(sample?.segments ?? [])].sort((a, b) => a - b)) {
      const data = await this.readMember(segment, `${id}_${epoch}.json`);
      if (!data) continue;
      for (const row of rows(data.events)) {
        const event = isJsonObject(row.event)
          ? row.event
          : this.parseText(row.data, `event row ${scalarText(row.id)}`);
        if (isJsonObject(event)) {
          events.push({
            rowId: numberFrom(row.id),
            eventId: typeof row.event_id === 'string' ? row.event_id : null,
            event,
          });
        }
      }
      for (const row of rows(data.attachments)) {
        if (typeof row.hash === 'string' && typeof row.content === 'string')
          setOwn(attachments, row.hash, row.content);
      }
      for (const row of rows(data.message_pool)) {
        messageRows.push([
          numberFrom(row.id),
          this.parseText(row.data, 'message pool row') ?? null,
        ]);
      }
      for (const row of rows(data.call_pool)) {
        callRows.push([numberFrom(row.id), this.parseText(row.data, 'call pool row') ?? null]);
      }
    }
    // Pool positions are row ranks within the sample, ordered by row id.
    const byRow = (pool: Array<[number, JsonValue]>): JsonValue[] =>
      pool.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
    return { events, attachments, messagePool: byRow(messageRows), callPool: byRow(callRows) };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** One sample's member of one segment zip, or null with a warning when the segment is missing or damaged. */
  private async readMember(segment: number, member: string): Promise<JsonObject | null> {
    const path = `${this.location}/segment.${segment}.zip`;
    const zip = await this.openSegment(segment, path);
    if (!zip) return null;
    const entry = zip.directory.byName.get(member);
    if (!entry) return null;
    try {
      const data = parseInspectJson(
        await readEntryText(zip.source, entry, this.codecs),
        `${path}:${member}`,
        this.parseOptions,
      );
      return isJsonObject(data) ? data : null;
    } catch (error) {
      if (!isSalvageError(error)) throw error;
      this.warnings.push(`Segment ${path} is damaged (${error.message}); skipped ${member} in it.`);
      return null;
    }
  }

  private async openSegment(
    segment: number,
    path: string,
  ): Promise<{ source: MemoryByteSource; directory: ZipDirectory } | null> {
    if (this.recentSegments.has(segment)) return this.recentSegments.get(segment)!;
    let opened: { source: MemoryByteSource; directory: ZipDirectory } | null = null;
    const bytes = await this.readOrWarn(
      `segment.${segment}.zip`,
      'Segment',
      'the rows it held are lost',
    );
    if (bytes === null) {
      this.warnings.push(`Segment ${path} is missing; the rows it held are lost.`);
    } else if (bytes !== undefined) {
      try {
        const source = new MemoryByteSource(bytes);
        opened = { source, directory: await readCentralDirectory(source) };
      } catch (error) {
        if (!isSalvageError(error)) throw error;
        this.warnings.push(
          `Segment ${path} is damaged (${error.message}); the rows it held are lost.`,
        );
      }
    }
    this.recentSegments.set(segment, opened);
    if (this.recentSegments.size > RECENT_SEGMENTS) {
      this.recentSegments.delete(this.recentSegments.keys().next().value!);
    }
    return opened;
  }

  /** Full metadata kept beside the manifest when it differs from the summary's thinned copy. */
  private async fullMetadata(sample: ManifestSample): Promise<JsonObject | null> {
    if (!sample.metadataHash || sample.metadataHash === 'summary') return null;
    const key = createHash('sha256')
      .update(pythonJsonDumps(scalarText(sample.summary.id), numberFrom(sample.summary.epoch ?? 1)))
      .digest('hex');
    const name = `metadata.${key}.${sample.metadataHash}.json`;
    const path = `${this.location}/${name}`;
    const bytes = await this.readOrWarn(name, 'Full metadata', "the summary's metadata is used");
    if (bytes === null) {
      this.warnings.push(`Full metadata ${path} is missing; the summary's metadata is used.`);
      return null;
    }
    if (bytes === undefined) return null;
    const metadata = this.parseText(new TextDecoder().decode(bytes), path);
    return isJsonObject(metadata) ? metadata : null;
  }

  /**
   * A file of the filestore; one it refuses to read (it leads outside, it is no regular file) is
   * a warning and undefined. Failures to reach the storage end the recovery instead: a warning
   * would write a recovered log without the rows the file holds.
   */
  private async readOrWarn(
    name: string,
    what: string,
    consequence: string,
  ): Promise<Uint8Array | null | undefined> {
    try {
      return await this.files.read(name, what);
    } catch (error) {
      if (!isSalvageError(error) || isStorageAccessError(error)) throw error;
      this.warnings.push(`${error.message.replace(/\.$/, '')}; ${consequence}.`);
      return undefined;
    }
  }

  private parseText(text: JsonValue | undefined, what: string): JsonValue | undefined {
    if (typeof text !== 'string') return undefined;
    try {
      return parseInspectJson(text, what, this.parseOptions);
    } catch {
      this.warnings.push(`Skipped ${what} in ${this.location}: it is not valid JSON.`);
      return undefined;
    }
  }
}

function rows(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? (value as JsonValue[]).filter(isJsonObject) : [];
}

/**
 * `json.dumps([str(id), epoch])` as Python writes it (", " separator, non-ASCII escaped): the text
 * Inspect hashes to name a sample's full-metadata file.
 */
export function pythonJsonDumps(id: string, epoch: number): string {
  const quoted = JSON.stringify(id).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `[${quoted}, ${epoch}]`;
}
