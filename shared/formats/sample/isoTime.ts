/**
 * Milliseconds since the epoch of an ISO 8601 timestamp given as ASCII bytes raw[from, to), as
 * Inspect writes them (`2026-06-10T18:23:50.198559+00:00`), without making a string or a view:
 * the indexer reads one per event, hundreds of thousands of them. Other forms go through
 * Date.parse; NaN when unreadable.
 */
export function isoMillis(raw: Uint8Array, from = 0, to = raw.length): number {
  const n = to - from;
  const at = (k: number): number => raw[from + k]!;
  const digits = (start: number, count: number): number => {
    let value = 0;
    for (let k = start; k < start + count; k++) {
      const digit = at(k) - 0x30;
      if (!(digit >= 0 && digit <= 9)) return Number.NaN;
      value = value * 10 + digit;
    }
    return value;
  };
  if (
    n >= 19 &&
    at(4) === 0x2d &&
    at(7) === 0x2d &&
    (at(10) === 0x54 || at(10) === 0x20) &&
    at(13) === 0x3a &&
    at(16) === 0x3a
  ) {
    let k = 19;
    let fraction = 0;
    if (k < n && at(k) === 0x2e) {
      let scale = 100;
      for (k++; k < n && at(k) >= 0x30 && at(k) <= 0x39; k++) {
        fraction += (at(k) - 0x30) * scale;
        scale /= 10;
      }
    }
    let offset = Number.NaN;
    if (k === n - 1 && at(k) === 0x5a) offset = 0;
    else if (k === n - 6 && (at(k) === 0x2b || at(k) === 0x2d) && at(k + 3) === 0x3a) {
      const sign = at(k) === 0x2b ? 1 : -1;
      offset = sign * (digits(k + 1, 2) * 60 + digits(k + 4, 2)) * 60_000;
    }
    const utc = Date.UTC(
      digits(0, 4),
      digits(5, 2) - 1,
      digits(8, 2),
      digits(11, 2),
      digits(14, 2),
      digits(17, 2),
    );
    const millis = utc + fraction - offset;
    if (Number.isFinite(millis)) return millis;
  }
  return Date.parse(String.fromCharCode.apply(null, raw.subarray(from, to) as unknown as number[]));
}
