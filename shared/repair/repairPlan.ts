import { SalvageError } from '../util/errors.ts';

/** What a repair of a JSONL log's damaged line does. */
export type RepairAction =
  /** The last line was torn (no newline, not JSON): it moves to the sidecar, the log ends at the line before. */
  | 'truncate-torn'
  /** The last line is a complete record that lacks its newline: the newline is added, nothing removed. */
  | 'append-newline'
  /** A torn fragment with a complete record glued after it on one line: the fragment moves out, the record stays. */
  | 'move-fragment';

export interface RepairPlan {
  readonly action: RepairAction;
  /** 1-based number of the line concerned. */
  readonly line: number;
  /** The bytes that move to the sidecar, [start, end); empty for append-newline. */
  readonly moved: { readonly start: number; readonly end: number };
  /** A short preview of those bytes (or of the record that gets its newline). */
  readonly preview: string;
}

/** Characters of preview shown in plans and dry runs. */
const PREVIEW_CHARS = 120;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The JSON value of a line (surrounding whitespace and a CR allowed), or null when it does not
 * parse. NaN/Infinity records are rare in JSONL logs; they count when that is the only problem.
 */
function parseLine(bytes: Uint8Array): { readonly value: unknown } | null {
  const text = utf8.decode(bytes).trim();
  if (text === '') return null;
  try {
    return { value: JSON.parse(text) };
  } catch {
    if (!SPECIAL_NUMBERS.test(text)) return null;
    try {
      return { value: JSON.parse(text.replace(SPECIAL_NUMBERS_ALL, '0')) };
    } catch {
      return null;
    }
  }
}

const SPECIAL_NUMBERS = /\b(NaN|-?Infinity)\b/;
const SPECIAL_NUMBERS_ALL = /\b(NaN|-?Infinity)\b/g;

/** True when the bytes are one complete JSON value. */
export function isCompleteRecord(bytes: Uint8Array): boolean {
  return parseLine(bytes) !== null;
}

/** The top-level keys of a line that is one JSON object, or null. */
export function recordKeys(bytes: Uint8Array): string[] | null {
  const value = parseLine(bytes)?.value;
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.keys(value)
    : null;
}

/**
 * Where a complete record starts inside a malformed line, or -1. A resumed writer appends a
 * whole record right after the torn bytes, so the record is a suffix of the line, and it is
 * shaped like the log's other records: given a neighbour's keys, the suffix must start like
 * one (`{"<its first key>"`, tried first) and share at least half of its keys. Without a
 * neighbour, any `{"` from which the rest parses counts.
 */
export function spliceOffset(
  line: Uint8Array,
  neighbourKeys: ReadonlyArray<string> | null = null,
): number {
  const likeNeighbour = (offset: number): boolean => {
    const suffix = line.subarray(offset);
    if (!neighbourKeys || neighbourKeys.length === 0) return isCompleteRecord(suffix);
    const shared = recordKeys(suffix)?.filter((key) => neighbourKeys.includes(key)).length ?? 0;
    return shared * 2 >= neighbourKeys.length;
  };
  const tryFrom = (opening: Uint8Array): number => {
    let tried = 0;
    for (let at = indexOf(line, opening, 1); at !== -1; at = indexOf(line, opening, at + 1)) {
      if (likeNeighbour(at)) return at;
      // Each try parses the rest of the line: bounded, so a huge torn line stays linear.
      if (++tried >= MAX_SPLICE_CANDIDATES) break;
    }
    return -1;
  };
  const first = neighbourKeys?.[0];
  const found = first === undefined ? -1 : tryFrom(encoder.encode(`{${JSON.stringify(first)}`));
  return found !== -1 ? found : tryFrom(encoder.encode('{"'));
}

/** Record starts tried inside one malformed line before calling it torn, not spliced. */
const MAX_SPLICE_CANDIDATES = 64;
const encoder = new TextEncoder();

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  for (
    let at = haystack.indexOf(needle[0]!, from);
    at !== -1;
    at = haystack.indexOf(needle[0]!, at + 1)
  ) {
    let match = true;
    for (let index = 1; index < needle.length && match; index++)
      match = haystack[at + index] === needle[index];
    if (match && at + needle.length <= haystack.length) return at;
  }
  return -1;
}

/** The repair of a log's unterminated last line (bytes after its last `\n`). */
export function planTailRepair(
  lastLine: Uint8Array,
  lastLineStart: number,
  lineNumber: number,
): RepairPlan {
  if (isCompleteRecord(lastLine)) {
    return {
      action: 'append-newline',
      line: lineNumber,
      moved: { start: lastLineStart + lastLine.length, end: lastLineStart + lastLine.length },
      preview: preview(lastLine),
    };
  }
  // No splice check here: a resumed writer appends a record *with* its newline, so a spliced line
  // always ends in one. An unterminated last line that does not parse is torn; a prefix of a
  // record can hold a complete inner object, which a splice check would mistake for a record.
  return {
    action: 'truncate-torn',
    line: lineNumber,
    moved: { start: lastLineStart, end: lastLineStart + lastLine.length },
    preview: preview(lastLine),
  };
}

/** The repair of a spliced line found anywhere in the log. */
export function planSplice(
  fragment: Uint8Array,
  lineStart: number,
  lineNumber: number,
): RepairPlan {
  if (fragment.length === 0)
    throw new SalvageError('not-torn', 'The line has no torn fragment to move.');
  return {
    action: 'move-fragment',
    line: lineNumber,
    moved: { start: lineStart, end: lineStart + fragment.length },
    preview: preview(fragment),
  };
}

export function preview(bytes: Uint8Array): string {
  const text = utf8.decode(bytes.subarray(0, PREVIEW_CHARS * 4));
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}
