import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  rmSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { findUnterminatedTail } from '../../../shared/repair/tailHealth.ts';
import {
  isCompleteRecord,
  planSplice,
  recordKeys,
  planTailRepair,
  spliceOffset,
  type RepairPlan,
} from '../../../shared/repair/repairPlan.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import type { RepairCheck, RepairReport, UndoReport } from '../../../shared/model/recovery.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { walkLines } from '../../../shared/formats/jsonl/lineReader.ts';
import { writeFileAtomically } from '../io/atomicFile.ts';
import { assertNoWriter, findWriters, type WriterReport } from '../io/openWriters.ts';

const NEWLINE = 0x0a;
/** Bytes copied per step when shifting the rest of a log after a fragment moves out. */
const SHIFT_CHUNK_BYTES = 4 * 1024 * 1024;
/** How many malformed lines a report lists (the count is always exact). */
const MALFORMED_LISTED = 100;

/** A malformed line in the middle of a log: reported, never changed. */
interface MalformedLine {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export type { RepairCheck, RepairReport, UndoReport, MalformedLine };

/** One range a repair moved out of the log (in the log's coordinates before the repair). */
interface SidecarMove {
  readonly action: RepairPlan['action'];
  readonly offset: number;
  readonly length: number;
}

/**
 * What a sidecar records so that `--undo` can put the bytes back exactly: its first line is this
 * header, the rest the moved bytes, one move after another. Version 1 (one move, its fields at the
 * top level) is still read.
 */
interface SidecarHeader {
  readonly salvage_sidecar: 2;
  readonly log: string;
  /** Ascending by offset. */
  readonly moves: ReadonlyArray<SidecarMove>;
  /** The last line got its missing newline. */
  readonly appended_newline: boolean;
  readonly sha256: string;
  readonly size_before: number;
  readonly size_after: number;
  readonly created: string;
}

/** The repair a log needs (the dry run): nothing is written. */
export async function checkJsonl(path: string, now = new Date()): Promise<RepairCheck> {
  const source = await FileByteSource.open(path);
  try {
    const scan = await scanLines(source);
    // Every spliced line (a resumed writer glued a record after torn bytes, possibly after each
    // of several crashes), then the unterminated last line: all in one repair, ascending.
    const plans: RepairPlan[] = [];
    for (const spliced of scan.spliced) {
      plans.push(
        planSplice(
          await source.read(spliced.start, spliced.fragmentLength),
          spliced.start,
          spliced.line,
        ),
      );
    }
    const tail = await findUnterminatedTail(source);
    if (tail) {
      const lastLine = await source.read(tail.lastLineStart, tail.size - tail.lastLineStart);
      plans.push(planTailRepair(lastLine, tail.lastLineStart, scan.lines));
    }
    return {
      log: path,
      size: source.size,
      plans,
      sidecar: plans.length > 0 ? sidecarPath(path, now) : null,
      malformed: scan.malformed.slice(0, MALFORMED_LISTED),
      malformedCount: scan.malformed.length,
    };
  } finally {
    await source.close();
  }
}

/**
 * Repair a JSONL log without losing a byte: the bytes that must go are first written to a
 * sidecar beside the log (fsynced, with where they came from), and only then is the log changed,
 * in place (same inode, never truncated below the verified range). A log that changes meanwhile
 * (another writer appending) is left as it is, with a typed error.
 */
export async function repairJsonl(
  path: string,
  now = new Date(),
  writers: WriterLookup = findWriters,
  /** Called once the gaps are closed, before the log is cut: where a test plays a late writer. */
  gapsClosed: () => void = () => {},
): Promise<RepairReport> {
  const check = await checkJsonl(path, now);
  if (check.plans.length === 0 || !check.sidecar)
    return { ...check, repaired: false, sizeAfter: check.size };
  const fd = openSync(path, 'r+');
  try {
    const before = fstatSync(fd);
    if (before.size !== check.size) throw changed(path);
    const moves = check.plans
      .filter((plan) => plan.action !== 'append-newline')
      .map((plan) => ({
        action: plan.action,
        offset: plan.moved.start,
        length: plan.moved.end - plan.moved.start,
      }));
    const appendNewline = check.plans.some((plan) => plan.action === 'append-newline');
    const movedBytes = moves.map((move) => readExactly(fd, move.offset, move.length));
    const removed = moves.reduce((sum, move) => sum + move.length, 0);
    const sizeAfter = check.size - removed + (appendNewline ? 1 : 0);
    const digest = createHash('sha256');
    for (const bytes of movedBytes) digest.update(bytes);
    const header: SidecarHeader = {
      salvage_sidecar: 2,
      log: basename(path),
      moves,
      appended_newline: appendNewline,
      sha256: digest.digest('hex'),
      size_before: check.size,
      size_after: sizeAfter,
      created: now.toISOString(),
    };
    await writeFileAtomically(check.sidecar, async (handle) => {
      await handle.write(`${JSON.stringify(header)}\n`);
      for (const bytes of movedBytes) await handle.write(bytes);
    });
    // The last look before changing anything: the log must be exactly as planned. If it is not,
    // the sidecar goes (its bytes are still in the log) and nothing else happens.
    // A truncation or shift races with a live appender (records it writes meanwhile would be
    // cut off), so a log another process holds open for writing is never changed.
    try {
      await assertNoWriter(path, (why) => inUse(path, why), writers);
      const now2 = fstatSync(fd);
      if (now2.size !== before.size || now2.mtimeMs !== before.mtimeMs) throw changed(path);
    } catch (error) {
      rmSync(check.sidecar, { force: true });
      throw error;
    }
    // Close every gap in one pass, front to back, then cut the log at its new end.
    let write = moves[0]?.offset ?? check.size;
    moves.forEach((move, index) => {
      const keepFrom = move.offset + move.length;
      const keepTo = moves[index + 1]?.offset ?? check.size;
      shiftLeft(fd, keepFrom, keepTo, keepFrom - write);
      write += keepTo - keepFrom;
    });
    if (appendNewline) {
      // The missing newline goes right after the last kept record, before anything appended since.
      if (moves.length === 0 && fstatSync(fd).size !== check.size) {
        rmSync(check.sidecar, { force: true });
        throw changed(path);
      }
      writeSync(fd, Uint8Array.of(NEWLINE), 0, 1, write);
      write += 1;
    }
    gapsClosed();
    if (moves.length > 0) {
      // A writer that opened, appended and closed while the gaps were closing (too briefly to be
      // seen holding the file) wrote at the old end: carry those bytes down too, until none come.
      let copied = check.size;
      for (let size = fstatSync(fd).size; size > copied; size = fstatSync(fd).size) {
        shiftLeft(fd, copied, size, copied - write);
        write += size - copied;
        copied = size;
      }
      ftruncateSync(fd, write);
    }
    fsyncSync(fd);
    return { ...check, repaired: true, sizeAfter: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

/** Put back exactly what a repair moved to `sidecar`; refuses if the log changed since. */
export async function undoRepair(
  sidecar: string,
  writers: WriterLookup = findWriters,
): Promise<UndoReport> {
  const bytes = new Uint8Array(await readFile(sidecar));
  const newline = bytes.indexOf(NEWLINE);
  let header: SidecarHeader;
  try {
    header = asCurrentHeader(JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))));
  } catch (error) {
    throw new SalvageError(
      'not-a-sidecar',
      `${sidecar} is not a Salvage repair sidecar (${(error as Error).message}).`,
    );
  }
  const moved = bytes.subarray(newline + 1);
  const total = header.moves.reduce((sum, move) => sum + move.length, 0);
  if (
    newline < 0 ||
    moved.length !== total ||
    createHash('sha256').update(moved).digest('hex') !== header.sha256
  ) {
    throw new SalvageError(
      'not-a-sidecar',
      `${sidecar} is damaged: its bytes no longer match their checksum.`,
    );
  }
  const log = join(dirname(sidecar), header.log);
  await assertNoWriter(log, (why) => inUse(log, why), writers);
  const fd = openSync(log, 'r+');
  try {
    let size = fstatSync(fd).size;
    if (size !== header.size_after) {
      throw new SalvageError(
        'changed-during-repair',
        `${log} changed since the repair (${size} bytes, ${header.size_after} expected); undoing now could misplace the bytes, so nothing was changed.`,
      );
    }
    if (header.appended_newline) {
      if (readExactly(fd, size - 1, 1)[0] !== NEWLINE) throw changed(log);
      size -= 1;
      ftruncateSync(fd, size);
    }
    // Ascending: once the moves before one are back, its original offset is right again.
    let from = 0;
    for (const move of header.moves) {
      const piece = moved.subarray(from, from + move.length);
      from += move.length;
      if (move.offset < size) shiftRight(fd, move.offset, size, move.length);
      writeSync(fd, piece, 0, piece.length, move.offset);
      size += move.length;
    }
    fsyncSync(fd);
    const final = fstatSync(fd).size;
    if (final !== header.size_before) {
      // Something was appended while the bytes moved back: it may now sit out of place.
      throw new SalvageError(
        'changed-during-repair',
        `${log} grew while the undo ran (${final} bytes, ${header.size_before} expected): another process wrote to it, and what it wrote may be out of place. ${sidecar} is kept.`,
      );
    }
    return {
      log,
      sidecar,
      action: header.moves.at(-1)?.action ?? 'append-newline',
      restoredBytes: total,
      size: fstatSync(fd).size,
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * A sidecar header of either version, as the current one, checked: a sidecar is a file the user
 * may have been sent, so its log must be a sibling (a plain file name) and its moves whole,
 * ascending, non-overlapping ranges inside the log it restores.
 */
function asCurrentHeader(value: unknown): SidecarHeader {
  const header = upgradeHeader(value);
  const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
  if (
    typeof header.log !== 'string' ||
    header.log === '' ||
    header.log !== basename(header.log) ||
    header.log === '.' ||
    header.log === '..'
  )
    throw new Error('its log is not a file name beside it');
  if (!count(header.size_before) || !count(header.size_after) || !Array.isArray(header.moves))
    throw new Error('its sizes or moves are not numbers');
  let end = 0;
  let total = 0;
  for (const entry of header.moves as ReadonlyArray<unknown>) {
    const { offset, length } = (entry ?? {}) as { offset?: unknown; length?: unknown };
    if (!count(offset) || !count(length) || length === 0 || (offset as number) < end)
      throw new Error('its moves are not ascending ranges');
    end = (offset as number) + (length as number);
    total += length as number;
  }
  if (
    end > header.size_before ||
    header.size_after !== header.size_before - total + (header.appended_newline ? 1 : 0)
  )
    throw new Error('its moves do not fit the sizes it records');
  return header;
}

function upgradeHeader(value: unknown): SidecarHeader {
  const header = value as Record<string, unknown> | null;
  if (header?.salvage_sidecar === 2) return header as unknown as SidecarHeader;
  if (header?.salvage_sidecar !== 1) throw new Error('no salvage_sidecar field');
  const v1 = header as {
    action: RepairPlan['action'];
    offset: number;
    length: number;
  } & Omit<SidecarHeader, 'salvage_sidecar' | 'moves' | 'appended_newline'>;
  const appended = v1.action === 'append-newline';
  return {
    salvage_sidecar: 2,
    log: v1.log,
    moves: appended ? [] : [{ action: v1.action, offset: v1.offset, length: v1.length }],
    appended_newline: appended,
    sha256: v1.sha256,
    size_before: v1.size_before,
    size_after: v1.size_after,
    created: v1.created,
  };
}

/** Who holds a file open for writing (`null`: the OS cannot say); tests pass their own. */
type WriterLookup = (path: string) => Promise<WriterReport | null>;

function inUse(path: string, why: string): SalvageError {
  return new SalvageError(
    'log-in-use',
    `${path} is still being written (${why}); nothing was changed. Stop the writer and run the repair again.`,
  );
}

function changed(path: string): SalvageError {
  return new SalvageError(
    'changed-during-repair',
    `${path} changed while it was being repaired (another process is writing it); nothing was changed. Stop the writer and run the repair again.`,
  );
}

function readExactly(fd: number, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0)
      throw new SalvageError(
        'changed-during-repair',
        'The log shrank while it was being repaired.',
      );
    done += read;
  }
  return buffer;
}

/** Move bytes [from, end) left by `distance` (front to back, so nothing is overwritten before it is read). */
function shiftLeft(fd: number, from: number, end: number, distance: number): void {
  for (let position = from; position < end; position += SHIFT_CHUNK_BYTES) {
    const chunk = readExactly(fd, position, Math.min(SHIFT_CHUNK_BYTES, end - position));
    writeSync(fd, chunk, 0, chunk.length, position - distance);
  }
}

/** Move bytes [from, end) right by `distance` (back to front). */
function shiftRight(fd: number, from: number, end: number, distance: number): void {
  for (let stop = end; stop > from; stop -= SHIFT_CHUNK_BYTES) {
    const start = Math.max(from, stop - SHIFT_CHUNK_BYTES);
    const chunk = readExactly(fd, start, stop - start);
    writeSync(fd, chunk, 0, chunk.length, start + distance);
  }
}

/** A sidecar name a person reads as what it is: `<log>.torn-<UTC time>`, unique in its folder. */
function sidecarPath(log: string, date: Date): string {
  const stamp = date.toISOString().replace(/[-:]/g, '');
  let path = join(dirname(log), `${basename(log)}.torn-${stamp}`);
  for (let suffix = 2; existsSync(path); suffix++) {
    path = join(dirname(log), `${basename(log)}.torn-${stamp}-${suffix}`);
  }
  return path;
}

interface LineScan {
  /** Number of the last line (1-based), whether or not it ends with a newline. */
  readonly lines: number;
  readonly malformed: MalformedLine[];
  readonly spliced: Array<{ line: number; start: number; fragmentLength: number }>;
}

/** A line that is not a complete record, and the nearest complete record to compare it with. */
interface Suspect {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  neighbour: { readonly start: number; readonly end: number } | null;
}

/**
 * Every complete line checked once, in chunks: malformed ones listed, spliced ones found. A
 * line counts as spliced only when a suffix of it is a record shaped like its neighbours (the
 * nearest complete line before it, or after it for the first lines), so an inner object of a
 * torn record is never taken for one.
 */
async function scanLines(source: FileByteSource): Promise<LineScan> {
  const suspects: Suspect[] = [];
  /** Suspects seen before any complete line: their neighbour is the first one after them. */
  let awaiting: Suspect[] = [];
  const decoder = new TextDecoder();
  let line = 0;
  let lastComplete: { start: number; end: number } | null = null;
  const walk = await walkLines(source, (bytes, start) => {
    line += 1;
    if (isCompleteRecord(bytes)) {
      lastComplete = { start, end: start + bytes.length };
      for (const suspect of awaiting) suspect.neighbour = lastComplete;
      awaiting = [];
      return;
    }
    if (decoder.decode(bytes).trim() === '') return;
    const suspect: Suspect = { line, start, end: start + bytes.length, neighbour: lastComplete };
    suspects.push(suspect);
    if (!lastComplete) awaiting.push(suspect);
  });
  const malformed: MalformedLine[] = [];
  const spliced: Array<{ line: number; start: number; fragmentLength: number }> = [];
  // Suspects in a row share their neighbour: read its keys once.
  const neighbourKeys = new Map<number, string[] | null>();
  const keysOf = async (range: { start: number; end: number }): Promise<string[] | null> => {
    if (!neighbourKeys.has(range.start))
      neighbourKeys.set(
        range.start,
        recordKeys(await source.read(range.start, range.end - range.start)),
      );
    return neighbourKeys.get(range.start) ?? null;
  };
  for (const suspect of suspects) {
    const bytes = await source.read(suspect.start, suspect.end - suspect.start);
    const neighbour = suspect.neighbour ? await keysOf(suspect.neighbour) : null;
    const splice = spliceOffset(bytes, neighbour);
    if (splice > 0)
      spliced.push({ line: suspect.line, start: suspect.start, fragmentLength: splice });
    else malformed.push({ line: suspect.line, start: suspect.start, end: suspect.end });
  }
  return { lines: walk.tail.length > 0 ? walk.lines + 1 : walk.lines, malformed, spliced };
}
