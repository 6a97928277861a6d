import type { ByteSource } from '../bytes/byteSource.ts';
import { journalIndex } from '../inspect-eval/entryNames.ts';
import { JsonScanner, SKIP, TOP } from '../json/jsonScanner.ts';
import type { ValueSpan } from '../json/jsonStructure.ts';
import { parseInspectJson, type JsonValue } from '../json/inspectJson.ts';
import type { ZipDirectory, ZipEntry } from '../zip/zipEntry.ts';
import { sampleKey } from '../../model/log.ts';
import { Part } from './sampleIndex.ts';

/**
 * Where a sample's bytes are, for each layout the paged reader indexes: the entries of a chunked
 * sample in the order they are indexed, and a sample's byte range inside a `.json` log.
 */

export interface ChunkedPart {
  readonly entry: ZipEntry;
  readonly part: Part;
}

/**
 * The entries of the chunked sample in `folder`, as readChunkedSample reads them: the shell,
 * metadata, then each chunked list in numeric order of its chunks. skeleton.json and
 * events/stats.json add nothing the index does not rebuild.
 */
export function chunkedSampleParts(directory: ZipDirectory, folder: string): ChunkedPart[] {
  const parts: ChunkedPart[] = [];
  const single = (name: string, part: Part): void => {
    const entry = directory.byName.get(`${folder}${name}`);
    if (entry) parts.push({ entry, part });
  };
  const numbered = (prefix: string, part: Part): void => {
    const found: Array<{ index: number; entry: ZipEntry }> = [];
    for (const [name, entry] of directory.byName) {
      const index = journalIndex(name, `${folder}${prefix}`);
      if (index !== null) found.push({ index, entry });
    }
    found.sort((a, b) => a.index - b.index);
    for (const { entry } of found) parts.push({ entry, part });
  };
  single('sample.json', Part.Root);
  single('metadata.json', Part.Metadata);
  numbered('messages/', Part.PoolMessages);
  numbered('events/', Part.Events);
  numbered('calls/', Part.PoolCalls);
  numbered('attachments/', Part.AttachmentList);
  single('events/uuids.json', Part.Uuids);
  return parts;
}

/** Bytes read per sample to find its id and epoch (Inspect writes them first). */
const PROBE_BYTES = 64 * 1024;

/**
 * The byte range of sample (id, epoch) among a `.json` log's sample ranges, reading only the
 * start of each sample; the last match wins, as JsonLogReader resolves duplicates.
 */
export async function findJsonSample(
  source: ByteSource,
  samples: ReadonlyArray<ValueSpan>,
  id: string,
  epoch: number,
): Promise<ValueSpan | null> {
  const wanted = sampleKey(id, epoch);
  let found: ValueSpan | null = null;
  for (const span of samples) {
    const facts = await sampleIdentity(source, span);
    if (facts && sampleKey(facts.id, facts.epoch) === wanted) found = span;
  }
  return found;
}

async function sampleIdentity(
  source: ByteSource,
  span: ValueSpan,
): Promise<{ id: JsonValue; epoch: JsonValue } | null> {
  const seen: Record<string, JsonValue> = {};
  const scanner = new JsonScanner(
    {
      enter: (parent, key, _index, kind) =>
        parent === TOP
          ? kind === 'object'
            ? 1
            : SKIP
          : kind === 'string' && (key === 'id' || key === 'epoch')
            ? 1
            : SKIP,
      leave: (role, parent, key, _index, _start, _end, text, complete) => {
        if (parent === TOP || text === null || !complete || (key !== 'id' && key !== 'epoch'))
          return;
        // A string was captured (role 1); a number's text parses as parseInspectJson reads it
        // (big integer ids stay exact).
        seen[key] = role === SKIP ? parseInspectJson(text, 'A sample id') : text;
      },
    },
    { base: span.start, what: 'A sample of the log' },
  );
  for (let position = span.start; position < span.end; position += PROBE_BYTES) {
    scanner.push(await source.read(position, Math.min(PROBE_BYTES, span.end - position)));
    if ('id' in seen && 'epoch' in seen) return { id: seen.id!, epoch: seen.epoch! };
  }
  return 'id' in seen && 'epoch' in seen ? { id: seen.id!, epoch: seen.epoch! } : null;
}
