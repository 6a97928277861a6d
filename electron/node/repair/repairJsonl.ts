import { sidecarName, UNDONE_SUFFIX } from '../../../shared/model/outputNames.ts';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, rmSync, fstatSync, openSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  editsOf,
  planRepair,
  type LogEdit,
  type MalformedLine,
  type RepairPlan,
} from '../../../shared/repair/repairPlan.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import type { RepairCheck, RepairReport, UndoReport } from '../../../shared/model/recovery.ts';
import type { ByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { writeFileAtomically } from '../io/atomicFile.ts';
import { fileError } from '../io/fileErrors.ts';
import {
  applyJournal,
  completeInterrupted,
  journalPath,
  readExactly,
  removeJournal,
  writeJournal,
  type Piece,
} from './repairJournal.ts';
import { assertNoWriter, findWriters, type WriterReport } from '../io/openWriters.ts';

const NEWLINE = 0x0a;
/** Bytes copied per step when shifting the rest of a log, or copying bytes to or from a sidecar. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;
/** How many malformed lines a report lists (the count is always exact). */
const MALFORMED_LISTED = 100;
/** The longest sidecar header read (it lists one edit per repaired line). */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export type { RepairCheck, RepairReport, UndoReport, MalformedLine };

/** One edit as a sidecar records it: what the repair did, where, and what it put in. */
interface SidecarEdit extends LogEdit {
  readonly action: RepairPlan['action'];
}

/**
 * What a sidecar records so that `--undo` can put the log back exactly: its first line is this
 * header, the rest the removed bytes, one edit after another. Version 3 records insertions too (a
 * newline put between two records glued on one line); versions 1 and 2 (moves and a final
 * newline) are still read.
 */
interface SidecarHeader {
  readonly salvage_sidecar: 3;
  readonly log: string;
  /** Ascending and disjoint, in the log's coordinates before the repair. */
  readonly edits: ReadonlyArray<SidecarEdit>;
  /** Of the removed bytes, in order. */
  readonly sha256: string;
  readonly size_before: number;
  readonly size_after: number;
  readonly created: string;
}

/**
 * The repair a log needs (the dry run). Nothing is written, except that a repair or undo a dead
 * run left half-done on this log is finished first (see repairJournal.ts): until then the log's
 * bytes are in between, and a plan made of them would be wrong.
 */
export async function checkJsonl(path: string, now = new Date()): Promise<RepairCheck> {
  const completed = await completeInterrupted(path);
  const source = await FileByteSource.open(path);
  try {
    const check = await checkSource(source, path, now);
    return completed ? { ...check, completedInterrupted: completed.kind } : check;
  } finally {
    await source.close();
  }
}

/** The repair the log in `source` needs, `path` naming it and its sidecar. */
export async function checkSource(
  source: ByteSource,
  path: string,
  now = new Date(),
): Promise<RepairCheck> {
  const scan = await planRepair(source);
  return {
    log: path,
    size: source.size,
    plans: scan.plans,
    sidecar: scan.plans.length > 0 ? sidecarPath(path, now) : null,
    malformed: scan.malformed.slice(0, MALFORMED_LISTED),
    malformedCount: scan.malformed.length,
  };
}

/**
 * Repair a JSONL log without losing a byte, and so that a kill at any instant leaves it
 * recoverable: the change is first written to a journal beside the log (the sidecar's bytes, and
 * the log's final bytes from the first one that changes), then the sidecar (the bytes that go,
 * with where they came from and what was put in their place), and only then is the log changed,
 * in place (same inode, so a writer that resumes later appends to it); the journal goes last. A
 * log that changes meanwhile (another writer appending) is left as it is, with a typed error; a
 * full disk or a read-only folder is a typed error and leaves the log, and no sidecar, behind.
 */
export async function repairJsonl(
  path: string,
  now = new Date(),
  writers: WriterLookup = findWriters,
  /** Called once the edits are made, before the log is cut: where a test plays a late writer. */
  editsMade: () => void = () => {},
): Promise<RepairReport> {
  const check = await checkJsonl(path, now);
  if (check.plans.length === 0 || !check.sidecar)
    return { ...check, repaired: false, sizeAfter: check.size };
  const sidecar = check.sidecar;
  const fd = openForChange(path);
  try {
    const before = fstatSync(fd);
    if (before.size !== check.size) throw changed(path);
    const edits = sidecarEdits(check.plans);
    const size = check.size;
    const growth = edits.reduce((sum, edit) => sum + edit.insert.length - edit.length, 0);
    const digest = createHash('sha256');
    for (const edit of edits)
      copyRange(fd, edit.offset, edit.length, (chunk) => digest.update(chunk));
    const header: SidecarHeader = {
      salvage_sidecar: 3,
      log: basename(path),
      edits,
      sha256: digest.digest('hex'),
      size_before: size,
      size_after: size + growth,
      created: now.toISOString(),
    };
    const sidecarPieces: Piece[] = [
      new TextEncoder().encode(`${JSON.stringify(header)}\n`),
      ...edits.map((edit) => ({ fd, from: edit.offset, to: edit.offset + edit.length })),
    ];
    // The log's final bytes from the first one that changes: kept ranges and inserted newlines.
    const payload: Piece[] = [];
    edits.forEach((edit, index) => {
      payload.push(new TextEncoder().encode(edit.insert));
      const next = edits[index + 1]?.offset ?? size;
      payload.push({ fd, from: edit.offset + edit.length, to: next });
    });
    const trailer = await writeJournal({
      kind: 'repair',
      log: path,
      sidecar,
      sidecarPieces,
      payload,
      offset: edits[0]!.offset,
      sizeBefore: size,
      sizeAfter: size + growth,
    });
    // The sidecar, then the last look before changing anything: the log must be exactly as
    // planned. If it is not, the sidecar and the journal go (their bytes are still in the log)
    // and nothing else happens. Changing bytes in place races with a live appender (records it
    // writes meanwhile could be cut off), so a log another process holds open for writing is
    // never changed.
    try {
      await writeFileAtomically(
        sidecar,
        async (handle) => {
          for (const piece of sidecarPieces) {
            if (piece instanceof Uint8Array) await handle.write(piece);
            else
              for (let done = piece.from; done < piece.to; done += COPY_CHUNK_BYTES)
                await handle.write(
                  readExactly(fd, done, Math.min(COPY_CHUNK_BYTES, piece.to - done)),
                );
          }
        },
        { overwrite: true },
      );
      await assertNoWriter(path, (why) => inUse(path, why), writers);
      const now2 = fstatSync(fd);
      if (now2.size !== before.size || now2.mtimeMs !== before.mtimeMs) throw changed(path);
    } catch (error) {
      rmSync(sidecar, { force: true });
      removeJournal(path);
      throw error;
    }
    try {
      applyJournal(journalPath(path), trailer, fd, editsMade);
    } catch (error) {
      // A full disk while the log grew: applyJournal put the log back. Otherwise the journal
      // stays, and the next repair of this log finishes the change.
      if (growth > 0 && fstatSync(fd).size === size) {
        rmSync(sidecar, { force: true });
        removeJournal(path);
      }
      throw fileError(error, path, 'repair');
    }
    // A writer that opened, appended and closed while the edits were made (too briefly to be
    // seen holding the file) wrote past the old end, and the log was not cut: carry those bytes
    // down to the new end, journaled as well, until none come.
    for (let last = trailer; last.size_after < last.size_before;) {
      const current = fstatSync(fd).size;
      if (current <= last.size_before) break;
      last = await writeJournal({
        kind: 'repair',
        log: path,
        sidecar,
        sidecarPieces: [],
        payload: [{ fd, from: last.size_before, to: current }],
        offset: last.size_after,
        sizeBefore: current,
        sizeAfter: last.size_after + current - last.size_before,
      });
      applyJournal(journalPath(path), last, fd);
    }
    removeJournal(path);
    return { ...check, repaired: true, sizeAfter: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Put back exactly what a repair changed, from its `sidecar`; refuses if the log changed since.
 * Journaled like the repair: a kill at any instant is finished by the next repair or undo.
 */
export async function undoRepair(
  sidecar: string,
  writers: WriterLookup = findWriters,
): Promise<UndoReport> {
  // An undo (or repair) of this log that a dead run left half-done is finished first; when it
  // was this very undo, that is the whole answer (its sidecar is `.undone` now).
  const finished = await finishInterruptedUndo(sidecar);
  if (finished) return finished;
  const sidecarFd = openOrThrow(sidecar);
  try {
    const { header, payloadStart } = readHeader(sidecarFd, sidecar);
    const log = join(dirname(sidecar), header.log);
    const payloadLength = fstatSync(sidecarFd).size - payloadStart;
    const removed = header.edits.reduce((sum, edit) => sum + edit.length, 0);
    const digest = createHash('sha256');
    copyRange(sidecarFd, payloadStart, payloadLength, (chunk) => digest.update(chunk));
    if (payloadLength !== removed || digest.digest('hex') !== header.sha256) {
      throw new SalvageError(
        'not-a-sidecar',
        `${sidecar} is damaged: its bytes no longer match their checksum.`,
      );
    }
    await assertNoWriter(log, (why) => inUse(log, why), writers);
    const fd = openForChange(log);
    try {
      const size = fstatSync(fd).size;
      if (size !== header.size_after && isOrphan(fd, size, header, sidecarFd, payloadStart)) {
        // A repair that stopped after its sidecar, before the log changed (an earlier Salvage had
        // no journal): the bytes are all still in the log, so there is nothing to put back. The
        // sidecar is marked spent, so that nothing offers to undo it again.
        renameSync(sidecar, `${sidecar}${UNDONE_SUFFIX}`);
        return {
          log,
          sidecar,
          action: header.edits.at(-1)?.action ?? 'append-newline',
          restoredBytes: 0,
          size,
          neverApplied: true,
        };
      }
      if (size !== header.size_after) {
        throw new SalvageError(
          'changed-during-repair',
          `${log} changed since the repair (${size} bytes, ${header.size_after} expected); undoing now could misplace the bytes, so nothing was changed.`,
        );
      }
      // Each edit inverted, in the repaired log's coordinates: what was inserted goes, what was
      // removed comes back from the sidecar.
      let shift = 0;
      let payloadAt = payloadStart;
      const inverse = header.edits.map((edit) => {
        const offset = edit.offset + shift;
        shift += edit.insert.length - edit.length;
        const from = payloadAt;
        payloadAt += edit.length;
        return {
          offset,
          length: edit.insert.length,
          insert: edit.insert,
          from,
          restored: edit.length,
        };
      });
      for (const edit of inverse) {
        const inserted = readExactly(fd, edit.offset, edit.length);
        if (new TextDecoder().decode(inserted) !== edit.insert) throw changed(log);
      }
      const payload: Piece[] = [];
      inverse.forEach((edit, index) => {
        payload.push({ fd: sidecarFd, from: edit.from, to: edit.from + edit.restored });
        const next = inverse[index + 1]?.offset ?? size;
        payload.push({ fd, from: edit.offset + edit.length, to: next });
      });
      const trailer = await writeJournal({
        kind: 'undo',
        log,
        sidecar,
        sidecarPieces: [],
        payload,
        offset: inverse[0]?.offset ?? size,
        sizeBefore: size,
        sizeAfter: header.size_before,
      });
      try {
        applyJournal(journalPath(log), trailer, fd);
      } catch (error) {
        if (header.size_before > size && fstatSync(fd).size === size) removeJournal(log);
        throw fileError(error, log, 'undo the repair of');
      }
      const after = fstatSync(fd).size;
      if (after !== header.size_before) {
        // Something was appended while the bytes moved back: it may now sit out of place.
        removeJournal(log);
        throw new SalvageError(
          'changed-during-repair',
          `${log} grew while the undo ran (${after} bytes, ${header.size_before} expected): another process wrote to it, and what it wrote may be out of place. ${sidecar} is kept.`,
        );
      }
      // The sidecar's bytes are back in the log: it stays (nothing of the user's is deleted) but
      // says it is spent, so the runs list no longer offers to undo it.
      renameSync(sidecar, `${sidecar}${UNDONE_SUFFIX}`);
      removeJournal(log);
      return {
        log,
        sidecar,
        action: header.edits.at(-1)?.action ?? 'append-newline',
        restoredBytes: removed,
        size: after,
      };
    } finally {
      closeSync(fd);
    }
  } finally {
    closeSync(sidecarFd);
  }
}

/**
 * Finish whatever a dead run left half-done on the sidecar's log; when that was an undo of this
 * sidecar, the report of that undo (the log is back as it was), else null.
 */
async function finishInterruptedUndo(sidecar: string): Promise<UndoReport | null> {
  const undone = `${sidecar}${UNDONE_SUFFIX}`;
  // The sidecar is `.undone` already when the dead undo got as far as renaming it.
  const readable = existsSync(sidecar) ? sidecar : existsSync(undone) ? undone : sidecar;
  const fd = openOrThrow(readable);
  let header: SidecarHeader;
  try {
    header = readHeader(fd, sidecar).header;
  } finally {
    closeSync(fd);
  }
  const log = join(dirname(sidecar), header.log);
  const completed = await completeInterrupted(log);
  if (readable === sidecar && !(completed?.kind === 'undo' && completed.sidecar === sidecar))
    return null;
  if (completed?.kind !== 'undo' || completed.sidecar !== sidecar) {
    throw new SalvageError('not-a-sidecar', `${sidecar} was undone already (see ${undone}).`);
  }
  return {
    log,
    sidecar,
    action: header.edits.at(-1)?.action ?? 'append-newline',
    restoredBytes: header.edits.reduce((sum, edit) => sum + edit.length, 0),
    size: statSync(log).size,
  };
}

/**
 * Whether a sidecar is an orphan: its log is still as it was before that repair, every byte the
 * repair moved out still in place (and it moved some out: a repair that only adds newlines leaves
 * no way to tell before from after but the size).
 */
function isOrphan(
  fd: number,
  size: number,
  header: SidecarHeader,
  sidecarFd: number,
  payloadStart: number,
): boolean {
  if (size !== header.size_before || header.size_before === header.size_after) return false;
  if (!header.edits.some((edit) => edit.length > 0)) return false;
  let from = payloadStart;
  for (const edit of header.edits) {
    if (edit.length > 0) {
      for (let done = 0; done < edit.length; done += COPY_CHUNK_BYTES) {
        const length = Math.min(COPY_CHUNK_BYTES, edit.length - done);
        const inLog = readExactly(fd, edit.offset + done, length);
        const inSidecar = readExactly(sidecarFd, from + done, length);
        if (Buffer.compare(inLog, inSidecar) !== 0) return false;
      }
    }
    from += edit.length;
  }
  return true;
}

function openOrThrow(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw fileError(error, path);
  }
}

/** The edits of a repair as its sidecar records them: one per place, named by what it does. */
function sidecarEdits(plans: ReadonlyArray<RepairPlan>): SidecarEdit[] {
  // A removal names the edit; an edit that only inserts is named by its plan.
  const named = new Map<number, RepairPlan['action']>();
  for (const plan of plans) {
    if (plan.moved.end > plan.moved.start || !named.has(plan.moved.start))
      named.set(plan.moved.start, plan.action);
  }
  return editsOf(plans).map((edit) => ({ action: named.get(edit.offset)!, ...edit }));
}

/** The log opened for the change, or a typed error (a read-only file system, no permission). */
function openForChange(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch (error) {
    throw fileError(error, path, 'repair');
  }
}

/**
 * Whether `sidecar` can still undo its repair: it is a valid sidecar and its log is the size the
 * repair left it (a log changed since cannot be put back). For the runs list, which offers Undo
 * on the row for as long as it works.
 */
export function sidecarUndoable(sidecar: string): boolean {
  let fd: number;
  try {
    fd = openSync(sidecar, 'r');
  } catch {
    return false;
  }
  try {
    const { header } = readHeader(fd, sidecar);
    return statSync(join(dirname(sidecar), header.log)).size === header.size_after;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * A sidecar's header, of any version, as the current one, checked: a sidecar is a file the user
 * may have been sent, so its log must be a sibling (a plain file name) and its edits whole,
 * ascending, non-overlapping ranges inside the log it restores, inserting only newlines.
 */
function readHeader(fd: number, sidecar: string): { header: SidecarHeader; payloadStart: number } {
  const size = fstatSync(fd).size;
  const chunks: Uint8Array[] = [];
  let newline = -1;
  for (let offset = 0; offset < Math.min(size, MAX_HEADER_BYTES) && newline === -1;) {
    const chunk = readExactly(fd, offset, Math.min(COPY_CHUNK_BYTES, size - offset));
    const at = chunk.indexOf(NEWLINE);
    chunks.push(at === -1 ? chunk : chunk.subarray(0, at));
    if (at !== -1) newline = offset + at;
    offset += chunk.length;
  }
  try {
    if (newline === -1) throw new Error('it has no header line');
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    return { header: checkedHeader(upgradeHeader(JSON.parse(text))), payloadStart: newline + 1 };
  } catch (error) {
    throw new SalvageError(
      'not-a-sidecar',
      `${sidecar} is not a Salvage repair sidecar (${(error as Error).message}).`,
    );
  }
}

function checkedHeader(header: SidecarHeader): SidecarHeader {
  const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
  if (
    typeof header.log !== 'string' ||
    header.log === '' ||
    header.log !== basename(header.log) ||
    header.log === '.' ||
    header.log === '..'
  )
    throw new Error('its log is not a file name beside it');
  if (!count(header.size_before) || !count(header.size_after) || !Array.isArray(header.edits))
    throw new Error('its sizes or edits are not numbers');
  let end = 0;
  let growth = 0;
  for (const entry of header.edits as ReadonlyArray<unknown>) {
    const { offset, length, insert } = (entry ?? {}) as {
      offset?: unknown;
      length?: unknown;
      insert?: unknown;
    };
    if (
      !count(offset) ||
      !count(length) ||
      typeof insert !== 'string' ||
      !/^\n{0,4}$/.test(insert) ||
      (length === 0 && insert === '') ||
      (offset as number) < end
    )
      throw new Error('its edits are not ascending ranges');
    end = (offset as number) + (length as number);
    growth += insert.length - (length as number);
  }
  if (end > header.size_before || header.size_after !== header.size_before + growth)
    throw new Error('its edits do not fit the sizes it records');
  return header;
}

/** A version 1 or 2 header as version 3: its moves are removals, its final newline an insertion at the end. */
function upgradeHeader(value: unknown): SidecarHeader {
  const header = value as Record<string, unknown> | null;
  if (header?.salvage_sidecar === 3) return header as unknown as SidecarHeader;
  type Move = { action: RepairPlan['action']; offset: number; length: number };
  let listed: unknown;
  let appended: boolean;
  if (header?.salvage_sidecar === 2) {
    listed = header.moves;
    appended = header.appended_newline === true;
  } else if (header?.salvage_sidecar === 1) {
    const v1 = header as Move;
    appended = v1.action === 'append-newline';
    listed = appended ? [] : [{ action: v1.action, offset: v1.offset, length: v1.length }];
  } else throw new Error('no salvage_sidecar field');
  if (!Array.isArray(listed)) throw new Error('its moves are not a list');
  const moves = listed as ReadonlyArray<Move>;
  const edits: SidecarEdit[] = moves.map((move) => ({
    action: move.action,
    offset: move.offset,
    length: move.length,
    insert: '',
  }));
  if (appended)
    edits.push({
      action: 'append-newline',
      offset: header.size_before as number,
      length: 0,
      insert: '\n',
    });
  return {
    salvage_sidecar: 3,
    log: header.log as string,
    edits,
    sha256: header.sha256 as string,
    size_before: header.size_before as number,
    size_after: header.size_after as number,
    created: header.created as string,
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

/** Hand [position, position + length) of a file to `use` a chunk at a time. */
function copyRange(
  fd: number,
  position: number,
  length: number,
  use: (chunk: Uint8Array, done: number) => void,
): void {
  for (let done = 0; done < length; done += COPY_CHUNK_BYTES) {
    use(readExactly(fd, position + done, Math.min(COPY_CHUNK_BYTES, length - done)), done);
  }
}

/** A sidecar name a person reads as what it is: `<log>.torn-<UTC time>`, unique in its folder. */
function sidecarPath(log: string, date: Date): string {
  let path = sidecarName(log, date);
  for (let copy = 2; existsSync(path); copy++) path = sidecarName(log, date, copy);
  return path;
}
