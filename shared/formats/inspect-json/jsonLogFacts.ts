import type { ByteSource } from '../bytes/byteSource.ts';
import { JsonScanner, SKIP, TOP, type JsonKind } from '../json/jsonScanner.ts';
import { parseInspectJsonBytes, type JsonValue } from '../json/inspectJson.ts';
import { dedupeSummaries, summaryFromSample } from '../inspect-eval/summaries.ts';
import { isSalvageError } from '../../util/errors.ts';
import { JSON_SCAN_CHUNK_BYTES, MAX_JSON_VALUE_BYTES } from '../../util/limits.ts';
import type { LogHeader, SampleSummary } from '../../model/log.ts';
import { setOwn } from '../../util/records.ts';
import { RUN_FACT_SAMPLE_FIELDS } from '../../model/runFacts.ts';

const SAMPLES = 'samples';
const REDUCTIONS = 'reductions';

// The handler's roles: the log object, its samples array, one sample.
const LOG = 1;
const SAMPLE_LIST = 2;
const SAMPLE = 3;

/** What a runs-list row needs of an Inspect `.json` log (see runFacts). */
export interface JsonLogFacts {
  /** Every top-level field except samples and reductions, as JsonLogReader's readHeader. */
  readonly header: LogHeader;
  /** Each sample's summary built from the fields runFacts reads (RUN_FACT_SAMPLE_FIELDS) alone. */
  readonly summaries: SampleSummary[];
}

/**
 * The header and the samples' fact fields of an Inspect `.json` log, found by one byte scan that
 * parses nothing but them: a listing's read of a `.json` log. Parsing the whole log (its
 * messages, events and attachments, nine tenths of its bytes) cost five times as much, and a
 * listing of thousands of logs is mostly that.
 *
 * Null when the scan cannot answer as JsonLogReader would (not one JSON object, no `eval` and
 * `status`, a sample that is not an object, a field past the one-value limit, bytes that do not
 * scan): the caller reads the log with JsonLogReader, whose errors say what is wrong. The parts
 * skipped are checked only for strings and bracket balance, as a `.eval` listing never opens its
 * sample entries: a sample broken inside is found when it is opened.
 *
 * Memory: one scan chunk and the fields kept, whatever the log's size.
 */
export async function scanJsonLogFacts(source: ByteSource): Promise<JsonLogFacts | null> {
  const scan = new FactsScan();
  const scanner = new JsonScanner(scan, { what: 'The log' });
  try {
    for (let start = 0; start < source.size && !scan.failed; start += JSON_SCAN_CHUNK_BYTES) {
      const chunk = await source.read(start, Math.min(JSON_SCAN_CHUNK_BYTES, source.size - start));
      scan.chunk(chunk, start);
      scanner.push(chunk);
    }
    if (scan.failed) return null;
    scanner.finish();
    return scan.facts();
  } catch (error) {
    if (isSalvageError(error)) return null;
    throw error;
  }
}

/** A field whose bytes are kept while it is scanned: its start and the chunks seen since. */
interface Capture {
  readonly key: string;
  readonly start: number;
  readonly pieces: Array<{ bytes: Uint8Array; base: number }>;
}

/** The scan's handler: keeps the bytes of the header's fields and of each sample's fact fields. */
class FactsScan {
  failed = false;
  private readonly header: Array<{ key: string; bytes: Uint8Array }> = [];
  private samples: Array<Array<{ key: string; bytes: Uint8Array }>> = [];
  private sawLog = false;
  private current: { bytes: Uint8Array; base: number } | null = null;
  private capture: Capture | null = null;

  /** The next chunk scanned; a field still open goes on in it. */
  chunk(bytes: Uint8Array, base: number): void {
    this.current = { bytes, base };
    if (!this.capture) return;
    this.capture.pieces.push(this.current);
    if (base + bytes.length - this.capture.start > MAX_JSON_VALUE_BYTES) this.failed = true;
  }

  enter(parent: number, key: string | null, _index: number, kind: JsonKind, start: number): number {
    if (parent === TOP) {
      this.sawLog = kind === 'object';
      return this.sawLog ? LOG : SKIP;
    }
    if (parent === LOG) {
      if (key === SAMPLES) {
        // A repeated key: the last one wins, as JSON.parse has it; samples not a list are none.
        this.samples = [];
        return kind === 'array' ? SAMPLE_LIST : SKIP;
      }
      if (key !== SAMPLES && key !== REDUCTIONS) this.startCapture(key!, start);
      return SKIP;
    }
    if (parent === SAMPLE_LIST) {
      // Not an object: the reader says what is wrong with it.
      if (kind !== 'object') {
        this.failed = true;
        return SKIP;
      }
      this.samples.push([]);
      return SAMPLE;
    }
    if (parent === SAMPLE && RUN_FACT_SAMPLE_FIELDS.has(key!)) this.startCapture(key!, start);
    return SKIP;
  }

  leave(
    _role: number,
    parent: number,
    _key: string | null,
    _index: number,
    _start: number,
    end: number,
  ): void {
    const capture = this.capture;
    // Only a kept field's own end: the values around it are skipped or are containers.
    if (!capture || parent === SAMPLE_LIST || parent === TOP) return;
    this.capture = null;
    const field = { key: capture.key, bytes: this.bytesOf(capture, end) };
    if (parent === LOG) this.header.push(field);
    else this.samples.at(-1)!.push(field);
  }

  facts(): JsonLogFacts | null {
    if (!this.sawLog) return null;
    const header: Record<string, JsonValue> = {};
    for (const { key, bytes } of this.header)
      setOwn(header, key, parseInspectJsonBytes(bytes, `Field "${key}"`));
    if (!('eval' in header) || !('status' in header)) return null;
    const rows = this.samples.map((fields, index) => {
      const sample: Record<string, JsonValue> = {};
      for (const { key, bytes } of fields)
        setOwn(sample, key, parseInspectJsonBytes(bytes, `Sample ${index + 1}`));
      return summaryFromSample(sample);
    });
    return { header, summaries: dedupeSummaries(rows) };
  }

  private startCapture(key: string, start: number): void {
    this.capture = { key, start, pieces: [this.current!] };
  }

  /** The field's bytes: a view into its chunk, or the pieces of the chunks it spans joined. */
  private bytesOf(capture: Capture, end: number): Uint8Array {
    const { pieces } = capture;
    if (pieces.length === 1) {
      const { bytes, base } = pieces[0]!;
      return bytes.subarray(capture.start - base, end - base);
    }
    const out = new Uint8Array(end - capture.start);
    for (const piece of pieces) {
      const from = Math.max(capture.start, piece.base);
      const to = Math.min(end, piece.base + piece.bytes.length);
      out.set(piece.bytes.subarray(from - piece.base, to - piece.base), from - capture.start);
    }
    return out;
  }
}
