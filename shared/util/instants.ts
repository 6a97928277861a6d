/**
 * The ISO text of the instant `millis` after 1970; null where no Date holds it (NaN, or beyond
 * ±8.64e15 ms, about the year 275760): a log's damaged time must not stop its reading.
 */
export function isoOfMillis(millis: number): string | null {
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
