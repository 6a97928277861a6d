import type { Liveness } from '../model/run.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Running or crashed, from when an unfinished run last wrote to its bucket.
 *
 * With `--log-shared` Inspect rewrites the buffer manifest at every sync (every 10 s by
 * default) while samples produce events, so a manifest minutes old is strong evidence; a run that
 * is busy with one long model call produces none, hence the low confidence in between. Without a
 * manifest the only evidence is the log itself, rewritten at each flush (every few completed
 * samples, or a minute after one completes), which says much less: samples can take hours.
 */
export function livenessFromWrites(
  logWritten: Date,
  manifestWritten: Date | null,
  now: Date = new Date(),
): Liveness {
  const last = Math.max(logWritten.getTime(), manifestWritten?.getTime() ?? 0);
  const age = Math.max(0, now.getTime() - last);
  const evidence = manifestWritten
    ? `buffer manifest last written ${ago(now.getTime() - manifestWritten.getTime())}, log ${ago(now.getTime() - logWritten.getTime())}`
    : `log last written ${ago(age)}; no buffer manifest in the bucket`;
  if (manifestWritten) {
    if (age < 2 * MINUTE_MS) return { verdict: 'running', confidence: 'high', evidence };
    if (age < 15 * MINUTE_MS) return { verdict: 'running', confidence: 'low', evidence };
    if (age < HOUR_MS) return { verdict: 'crashed', confidence: 'medium', evidence };
    return { verdict: 'crashed', confidence: 'high', evidence };
  }
  if (age < 10 * MINUTE_MS) return { verdict: 'running', confidence: 'low', evidence };
  if (age < 6 * HOUR_MS) return { verdict: 'crashed', confidence: 'low', evidence };
  return { verdict: 'crashed', confidence: 'medium', evidence };
}

/** "42 s ago", "7 min ago", "3 h ago", "2 days ago". */
function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

/** A verdict in words: "crashed (sure): buffer manifest last written 3 h ago, log 3 h ago". */
export function describeLiveness(liveness: Liveness): string {
  const sure = { high: 'sure', medium: 'likely', low: 'unsure' }[liveness.confidence];
  return `${liveness.verdict} (${sure}): ${liveness.evidence}`;
}
