import type { JsonValue } from '../formats/json/inspectJson.ts';
import type { ComparedSample } from './comparison.ts';

/** How one scorer's values moved from run A to run B, over the samples both runs have. */
export interface ScorerChange {
  readonly scorer: string;
  /** Samples scored in both runs. */
  readonly paired: number;
  readonly improved: number;
  readonly regressed: number;
  readonly unchanged: number;
  /** Values without an order (free text) that differ. */
  readonly changed: number;
  /** Samples scored in one run only. */
  readonly onlyA: number;
  readonly onlyB: number;
  /** Means over the paired samples, when the values are numbers (C/I read as 1/0). */
  readonly meanA: number | null;
  readonly meanB: number | null;
  /**
   * A paired test of "no change": McNemar's exact test for pass/fail values, the sign test for
   * other numbers (both two-sided, exact binomial); null when the values are not ordered.
   */
  readonly test: { readonly name: 'McNemar' | 'sign'; readonly pValue: number } | null;
}

/** The direction of one sample's change under one scorer. */
export type Change = 'improved' | 'regressed' | 'unchanged' | 'changed' | 'only-a' | 'only-b';

/** Inspect's letter values as numbers: correct, partial, incorrect, no answer. */
const LETTERS: Readonly<Record<string, number>> = { C: 1, P: 0.5, I: 0, N: 0 };

/** A score value on a number line, or null when it has no order (free text, objects). */
export function scoreNumber(value: JsonValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return LETTERS[value.trim().toUpperCase()] ?? null;
  return null;
}

/** How a sample's value under `scorer` changed from A to B. */
export function changeOf(sample: ComparedSample, scorer: string): Change | null {
  // A sample one run does not have at all is that run's gap, whatever its scores.
  if (sample.a === null) return 'only-b';
  if (sample.b === null) return 'only-a';
  const a = sample.a?.[scorer];
  const b = sample.b?.[scorer];
  if (a === undefined && b === undefined) return null;
  if (a === undefined) return 'only-b';
  if (b === undefined) return 'only-a';
  const x = scoreNumber(a);
  const y = scoreNumber(b);
  if (x !== null && y !== null) return y > x ? 'improved' : y < x ? 'regressed' : 'unchanged';
  return JSON.stringify(a) === JSON.stringify(b) ? 'unchanged' : 'changed';
}

/** Every scorer's changes between two runs aligned by sample. */
export function scoreChanges(samples: ReadonlyArray<ComparedSample>): ScorerChange[] {
  const scorers = new Set<string>();
  for (const sample of samples) {
    for (const name of Object.keys(sample.a ?? {})) scorers.add(name);
    for (const name of Object.keys(sample.b ?? {})) scorers.add(name);
  }
  return [...scorers].map((scorer) => {
    let improved = 0;
    let regressed = 0;
    let unchanged = 0;
    let changed = 0;
    let onlyA = 0;
    let onlyB = 0;
    let sumA = 0;
    let sumB = 0;
    let numeric = 0;
    let binary = true;
    for (const sample of samples) {
      const change = changeOf(sample, scorer);
      if (change === null) continue;
      if (change === 'only-a') onlyA += 1;
      else if (change === 'only-b') onlyB += 1;
      else if (change === 'improved') improved += 1;
      else if (change === 'regressed') regressed += 1;
      else if (change === 'changed') changed += 1;
      else unchanged += 1;
      const x = scoreNumber(sample.a?.[scorer]);
      const y = scoreNumber(sample.b?.[scorer]);
      if (x !== null && y !== null) {
        numeric += 1;
        sumA += x;
        sumB += y;
        if (![0, 1].includes(x) || ![0, 1].includes(y)) binary = false;
      }
    }
    const paired = improved + regressed + unchanged + changed;
    const ordered = numeric > 0 && numeric === paired;
    return {
      scorer,
      paired,
      improved,
      regressed,
      unchanged,
      changed,
      onlyA,
      onlyB,
      meanA: ordered ? sumA / numeric : null,
      meanB: ordered ? sumB / numeric : null,
      // Both tests look at the discordant pairs only: did more samples go up than down?
      test: ordered
        ? { name: binary ? 'McNemar' : 'sign', pValue: binomialTwoSided(improved, regressed) }
        : null,
    };
  });
}

/**
 * The two-sided exact binomial p-value of `up` successes in `up + down` fair coin flips: the
 * chance of a split at least this uneven if neither run is better. 1 when nothing changed.
 */
export function binomialTwoSided(up: number, down: number): number {
  const n = up + down;
  if (n === 0) return 1;
  const k = Math.min(up, down);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n stays exact enough.
  let logTerm = -n * Math.LN2; // log C(n, 0) / 2^n
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    tail += Math.exp(logTerm);
  }
  return Math.min(1, 2 * tail);
}
