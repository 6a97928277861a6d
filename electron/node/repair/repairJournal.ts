import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UNDONE_SUFFIX } from '../../../shared/model/outputNames.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { writeFileAtomically } from '../io/atomicFile.ts';
import { fileError } from '../io/fileErrors.ts';

/**
 * The journal that makes a repair (and its undo) recoverable at every instant.
 *
 * A repair changes its log in place (same file, so a writer that resumes later appends to it),
 * and a kill in the middle of moving bytes once left a log neither original nor repaired. Now
 * every byte the change writes is first written to a journal beside the log,
 * `.<log>.salvage-journal` (atomically: a temporary file, fsynced, renamed), with the sidecar's
 * bytes for a repair: the log's final bytes from the first one that changes to its end. Only
 * then is the log touched; when it is done and fsynced, the journal goes. A journal that is
 * still there means a run died while it changed the log: the next repair or undo of that log
 * (the dry run too) replays it first, which always gives the finished result, however far the
 * dead run got, since writing the final bytes again is harmless.
 *
 * The file: [sidecar bytes][final bytes], a newline, then one line of JSON (the trailer: what,
 * where, sizes, and the SHA-256 of the bytes before the newline).
 */

export interface JournalTrailer {
  readonly salvage_journal: 1;
  readonly kind: 'repair' | 'undo';
  /** The log's file name (a sibling of the journal). */
  readonly log: string;
  /** The sidecar's file name: written from the journal (repair) or renamed `.undone` (undo). */
  readonly sidecar: string;
  /** Bytes of the sidecar at the journal's start (0 when the sidecar is not the journal's to write). */
  readonly sidecar_length: number;
  /** Where the final bytes go in the log. */
  readonly offset: number;
  readonly payload_length: number;
  /** The log's size before the change, and after it. */
  readonly size_before: number;
  readonly size_after: number;
  readonly sha256: string;
}

/** A part of what a journal holds: bytes in hand, or a range of an open file. */
export type Piece =
  Uint8Array | { readonly fd: number; readonly from: number; readonly to: number };

const COPY_CHUNK_BYTES = 4 * 1024 * 1024;
/** The longest trailer read back (it is a few hundred bytes). */
const MAX_TRAILER_BYTES = 64 * 1024;

export function journalPath(log: string): string {
  return join(dirname(log), `.${basename(log)}.salvage-journal`);
}

function pieceLength(piece: Piece): number {
  return piece instanceof Uint8Array ? piece.length : piece.to - piece.from;
}

/** Every chunk of some pieces, in order. */
function* chunksOf(pieces: ReadonlyArray<Piece>): Generator<Uint8Array> {
  for (const piece of pieces) {
    if (piece instanceof Uint8Array) {
      if (piece.length > 0) yield piece;
      continue;
    }
    for (let at = piece.from; at < piece.to; at += COPY_CHUNK_BYTES)
      yield readExactly(piece.fd, at, Math.min(COPY_CHUNK_BYTES, piece.to - at));
  }
}

/**
 * Write the journal of a change to `log` (atomically), and return its trailer: `sidecar` pieces
 * (the sidecar's whole content, for a repair; none for an undo), then the `payload` pieces (the
 * log's final bytes from `offset` to `sizeAfter`).
 */
export async function writeJournal(options: {
  readonly kind: 'repair' | 'undo';
  readonly log: string;
  readonly sidecar: string;
  readonly sidecarPieces: ReadonlyArray<Piece>;
  readonly payload: ReadonlyArray<Piece>;
  readonly offset: number;
  readonly sizeBefore: number;
  readonly sizeAfter: number;
}): Promise<JournalTrailer> {
  const sidecarLength = options.sidecarPieces.reduce((sum, piece) => sum + pieceLength(piece), 0);
  const payloadLength = options.payload.reduce((sum, piece) => sum + pieceLength(piece), 0);
  if (options.offset + payloadLength !== options.sizeAfter)
    throw new Error('A journal whose final bytes do not end the log.');
  const digest = createHash('sha256');
  let trailer: JournalTrailer | undefined;
  await writeFileAtomically(
    journalPath(options.log),
    async (handle) => {
      for (const chunk of chunksOf([...options.sidecarPieces, ...options.payload])) {
        digest.update(chunk);
        await handle.write(chunk);
      }
      trailer = {
        salvage_journal: 1,
        kind: options.kind,
        log: basename(options.log),
        sidecar: basename(options.sidecar),
        sidecar_length: sidecarLength,
        offset: options.offset,
        payload_length: payloadLength,
        size_before: options.sizeBefore,
        size_after: options.sizeAfter,
        sha256: digest.digest('hex'),
      };
      // A newline first: the final bytes need not end with one, and the trailer holds none.
      await handle.write(`\n${JSON.stringify(trailer)}\n`);
    },
    // A journal left by a dead run was replayed (or refused) before a new one is written.
    { overwrite: true },
  );
  return trailer!;
}

/** The journal's trailer, checked against its bytes; a typed error when it is damaged. */
export function readJournal(path: string): JournalTrailer {
  const fd = openOrThrow(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailLength = Math.min(size, MAX_TRAILER_BYTES);
    const tail = readExactly(fd, size - tailLength, tailLength);
    const end = tail.length - 1;
    const start = tail.lastIndexOf(0x0a, end - 1) + 1;
    let trailer: JournalTrailer;
    try {
      if (tail[end] !== 0x0a) throw new Error('it has no trailer');
      trailer = JSON.parse(new TextDecoder().decode(tail.subarray(start, end))) as JournalTrailer;
      const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
      if (
        trailer.salvage_journal !== 1 ||
        (trailer.kind !== 'repair' && trailer.kind !== 'undo') ||
        typeof trailer.log !== 'string' ||
        trailer.log !== basename(trailer.log) ||
        typeof trailer.sidecar !== 'string' ||
        trailer.sidecar !== basename(trailer.sidecar) ||
        ![
          trailer.sidecar_length,
          trailer.offset,
          trailer.payload_length,
          trailer.size_before,
          trailer.size_after,
        ].every(count) ||
        trailer.offset + trailer.payload_length !== trailer.size_after ||
        // The body, the newline before the trailer, the trailer line.
        trailer.sidecar_length + trailer.payload_length + 1 + (tail.length - start) !== size
      )
        throw new Error('its trailer does not describe it');
    } catch (error) {
      throw damaged(path, (error as Error).message);
    }
    const digest = createHash('sha256');
    const body = trailer.sidecar_length + trailer.payload_length;
    for (const chunk of chunksOf([{ fd, from: 0, to: body }])) digest.update(chunk);
    if (digest.digest('hex') !== trailer.sha256)
      throw damaged(path, 'its bytes no longer match their checksum');
    return trailer;
  } finally {
    closeSync(fd);
  }
}

/**
 * Carry out a journal on the open log: its final bytes written in place (the new last bytes
 * first when the log grows, so that a full disk is met before any byte of the log is changed,
 * and anything appended from then on lands after them), then the log cut to its new size when it
 * shrinks and nothing was appended meanwhile. `beforeCut` runs between the two (a test plays a
 * late writer there).
 */
export function applyJournal(
  journal: string,
  trailer: JournalTrailer,
  fd: number,
  beforeCut: () => void = () => {},
): void {
  const journalFd = openOrThrow(journal, 'r');
  try {
    const payloadStart = trailer.sidecar_length;
    const growth = trailer.size_after - trailer.size_before;
    // Payload bytes [from, to) to their place in the log.
    const copy = (from: number, to: number): void => {
      let at = trailer.offset + from;
      for (const chunk of chunksOf([
        { fd: journalFd, from: payloadStart + from, to: payloadStart + to },
      ])) {
        writeBytes(fd, chunk, at);
        at += chunk.length;
      }
    };
    const current = fstatSync(fd).size;
    if (growth > 0 && current < trailer.size_after) {
      // Only bytes past the old end: a failure here leaves the log's own bytes as they were.
      const grownFrom = Math.max(current, trailer.size_before) - trailer.offset;
      try {
        copy(grownFrom, trailer.payload_length);
      } catch (error) {
        ftruncateSync(fd, current);
        throw error;
      }
    }
    copy(0, trailer.payload_length);
    beforeCut();
    // Cut only a log nothing was appended to meanwhile: late bytes past the old end are the
    // caller's to carry down first (see repairJsonl), never cut off.
    if (growth < 0 && fstatSync(fd).size === trailer.size_before)
      ftruncateSync(fd, trailer.size_after);
    fsyncSync(fd);
  } finally {
    closeSync(journalFd);
  }
}

/** What finishing a journal did, for reports. */
export interface Completed {
  readonly journal: string;
  readonly kind: 'repair' | 'undo';
  readonly sidecar: string;
}

/**
 * Finish what a dead run left half-done on `log`, if anything: replay its journal (writing the
 * sidecar first when the journal holds it and it is missing), finish the undo's rename, remove
 * the journal. A log whose size is not one the change could have left (something else wrote to
 * it since) is left alone with a typed refusal, journal and sidecar kept.
 */
export async function completeInterrupted(log: string): Promise<Completed | null> {
  const journal = journalPath(log);
  if (!existsSync(journal)) return null;
  const trailer = readJournal(journal);
  if (trailer.log !== basename(log))
    throw damaged(journal, `it names another log (${trailer.log})`);
  const folder = dirname(log);
  const sidecar = join(folder, trailer.sidecar);
  if (
    trailer.kind === 'repair' &&
    trailer.sidecar_length > 0 &&
    !sidecarComplete(sidecar, journal, trailer)
  ) {
    const journalFd = openOrThrow(journal, 'r');
    try {
      await writeFileAtomically(
        sidecar,
        async (handle) => {
          for (const chunk of chunksOf([{ fd: journalFd, from: 0, to: trailer.sidecar_length }]))
            await handle.write(chunk);
        },
        { overwrite: true },
      );
    } finally {
      closeSync(journalFd);
    }
  }
  const fd = openOrThrow(log, 'r+');
  try {
    const size = fstatSync(fd).size;
    const low = Math.min(trailer.size_before, trailer.size_after);
    const high = Math.max(trailer.size_before, trailer.size_after);
    if (size < low || size > high) {
      throw new SalvageError(
        'changed-during-repair',
        `An interrupted ${trailer.kind} of ${log} cannot be finished: the log is ${size} bytes, and the ${trailer.kind} left it between ${low} and ${high} (something wrote to it since). Nothing was changed; ${journal} holds its final bytes from offset ${trailer.offset}${trailer.kind === 'repair' ? `, ${sidecar} the bytes it moved out` : ''}.`,
      );
    }
    applyJournal(journal, trailer, fd);
  } finally {
    closeSync(fd);
  }
  if (trailer.kind === 'undo' && existsSync(sidecar) && !existsSync(`${sidecar}${UNDONE_SUFFIX}`))
    renameSync(sidecar, `${sidecar}${UNDONE_SUFFIX}`);
  removeJournal(log);
  return { journal, kind: trailer.kind, sidecar };
}

/** Remove a log's journal once its change is on disk, and make the removal last. */
export function removeJournal(log: string): void {
  rmSync(journalPath(log), { force: true });
  let fd: number | undefined;
  try {
    fd = openSync(dirname(log), 'r');
    fsyncSync(fd);
  } catch {
    // A folder some file systems will not fsync: the removal stands, it is only less durable.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether the sidecar on disk is byte for byte the one the journal holds. */
function sidecarComplete(sidecar: string, journal: string, trailer: JournalTrailer): boolean {
  if (!existsSync(sidecar)) return false;
  const a = openOrThrow(sidecar, 'r');
  const b = openOrThrow(journal, 'r');
  try {
    if (fstatSync(a).size !== trailer.sidecar_length) return false;
    for (let at = 0; at < trailer.sidecar_length; at += COPY_CHUNK_BYTES) {
      const length = Math.min(COPY_CHUNK_BYTES, trailer.sidecar_length - at);
      if (Buffer.compare(readExactly(a, at, length), readExactly(b, at, length)) !== 0)
        return false;
    }
    return true;
  } finally {
    closeSync(a);
    closeSync(b);
  }
}

function damaged(path: string, why: string): SalvageError {
  return new SalvageError(
    'not-a-sidecar',
    `The repair journal ${path} is damaged (${why}); its log may be half-repaired. Nothing was changed.`,
  );
}

function openOrThrow(path: string, flags: string): number {
  try {
    return openSync(path, flags);
  } catch (error) {
    throw fileError(error, path);
  }
}

export function readExactly(fd: number, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0)
      throw new SalvageError('changed-during-repair', 'A file shrank while it was being read.');
    done += read;
  }
  return buffer;
}

export function writeBytes(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;)
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
