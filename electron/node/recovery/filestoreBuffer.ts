import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
} from '../../../shared/formats/json/inspectJson.ts';
import { scalarText, sampleKey } from '../../../shared/model/log.ts';
import type {
  BufferedSample,
  BufferedSampleData,
  EventRow,
  SampleBuffer,
} from '../../../shared/recovery/sampleBuffer.ts';
import { SalvageError, isSalvageError } from '../../../shared/util/errors.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';

interface ManifestSample {
  readonly summary: JsonObject;
  readonly segments: ReadonlyArray<number>;
  readonly metadataHash: string | null;
}

/**
 * Inspect's `--log-shared` filestore (`.buffer/<log>/`): a manifest and segment zips, each segment
 * holding, per sample, the database rows synced since the previous segment.
 *
 * Segments are read one at a time, and only the member of the sample asked for.
 */
export class FilestoreBuffer implements SampleBuffer {
  readonly source = 'filestore' as const;
  readonly location: string;
  readonly warnings: string[] = [];
  private readonly manifest: ReadonlyArray<ManifestSample>;
  private readonly codecs: Codecs;

  private constructor(location: string, manifest: ReadonlyArray<ManifestSample>, codecs: Codecs) {
    this.location = location;
    this.manifest = manifest;
    this.codecs = codecs;
  }

  static open(folder: string, codecs: Codecs = defaultCodecs()): FilestoreBuffer {
    const path = join(folder, 'manifest.json');
    let manifest: JsonValue;
    try {
      manifest = parseInspectJson(readFileSync(path, 'utf8'), path);
    } catch (error) {
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
        .filter((id): id is number => typeof id === 'number');
      samples.push({
        summary: entry.summary,
        segments,
        metadataHash: typeof entry.metadata_hash === 'string' ? entry.metadata_hash : null,
      });
    }
    return new FilestoreBuffer(folder, samples, codecs);
  }

  samples(): Promise<BufferedSample[]> {
    return Promise.resolve(
      this.manifest.map((sample) => ({
        summary: sample.summary,
        metadata: this.fullMetadata(sample),
      })),
    );
  }

  async sampleData(id: string, epoch: number): Promise<BufferedSampleData> {
    const sample = this.manifest.find(
      (entry) => sampleKey(entry.summary.id, entry.summary.epoch) === sampleKey(id, epoch),
    );
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
            rowId: Number(row.id),
            eventId: typeof row.event_id === 'string' ? row.event_id : null,
            event,
          });
        }
      }
      for (const row of rows(data.attachments)) {
        if (typeof row.hash === 'string' && typeof row.content === 'string')
          attachments[row.hash] = row.content;
      }
      for (const row of rows(data.message_pool)) {
        messageRows.push([Number(row.id), this.parseText(row.data, 'message pool row') ?? null]);
      }
      for (const row of rows(data.call_pool)) {
        callRows.push([Number(row.id), this.parseText(row.data, 'call pool row') ?? null]);
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
    const path = join(this.location, `segment.${segment}.zip`);
    if (!existsSync(path)) {
      this.warnings.push(`Segment ${path} is missing; the rows it held for ${member} are lost.`);
      return null;
    }
    try {
      const source = new MemoryByteSource(readFileSync(path));
      const directory: ZipDirectory = await readCentralDirectory(source);
      const entry = directory.byName.get(member);
      if (!entry) return null;
      const data = parseInspectJson(
        await readEntryText(source, entry, this.codecs),
        `${path}:${member}`,
      );
      return isJsonObject(data) ? data : null;
    } catch (error) {
      if (!isSalvageError(error)) throw error;
      this.warnings.push(`Segment ${path} is damaged (${error.message}); skipped ${member} in it.`);
      return null;
    }
  }

  /** Full metadata kept beside the manifest when it differs from the summary's thinned copy. */
  private fullMetadata(sample: ManifestSample): JsonObject | null {
    if (!sample.metadataHash || sample.metadataHash === 'summary') return null;
    const key = createHash('sha256')
      .update(
        JSON.stringify([scalarText(sample.summary.id), sample.summary.epoch ?? 1]).replace(
          /,/g,
          ', ',
        ),
      )
      .digest('hex');
    const path = join(this.location, `metadata.${key}.${sample.metadataHash}.json`);
    if (!existsSync(path)) {
      this.warnings.push(`Full metadata ${path} is missing; the summary's metadata is used.`);
      return null;
    }
    const metadata = this.parseText(readFileSync(path, 'utf8'), path);
    return isJsonObject(metadata) ? metadata : null;
  }

  private parseText(text: JsonValue | undefined, what: string): JsonValue | undefined {
    if (typeof text !== 'string') return undefined;
    try {
      return parseInspectJson(text, what);
    } catch {
      this.warnings.push(`Skipped ${what} in ${this.location}: it is not valid JSON.`);
      return undefined;
    }
  }
}

function rows(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? (value as JsonValue[]).filter(isJsonObject) : [];
}
