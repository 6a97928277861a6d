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

/** A token count for display: 640, 12.3k, 4.56M; a dash when unknown. */
export function formatTokens(tokens: number | null): string {
  if (tokens === null) return '-';
  if (tokens < 1000) return String(tokens);
  if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(1)}k`;
  return `${(tokens / 1_000_000).toFixed(2)}M`;
}

/** A duration for display: 9s, 2m 38s, 3h 05m; a dash when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
