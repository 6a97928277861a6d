import { SalvageError } from '../../util/errors.ts';

/**
 * A reference to one JSON string token of an open sample: where it lies in the sample's decoded
 * bytes. Opaque to the renderer, which only hands it back to fetch the whole string or a slice.
 */
export function stringRef(start: number, end: number): string {
  return `${start}:${end}`;
}

/** The token's byte range, or a typed refusal for a ref this sample cannot have made. */
export function parseStringRef(ref: string, size: number): { start: number; end: number } {
  const match = /^(\d{1,16}):(\d{1,16})$/.exec(ref);
  const start = match ? Number(match[1]) : Number.NaN;
  const end = match ? Number(match[2]) : Number.NaN;
  if (!(start >= 0 && end >= start + 2 && end <= size)) {
    throw new SalvageError(
      'invalid-arguments',
      `"${ref.slice(0, 40)}" is not a string reference of this sample.`,
    );
  }
  return { start, end };
}
