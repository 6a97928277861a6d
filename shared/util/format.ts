/** Human-readable sizes and numbers, shared by the CLI tables and the UI. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A score for display: three decimals, or a dash when there is none. */
export function formatScore(score: number | null): string {
  return score === null ? '-' : score.toFixed(3);
}
