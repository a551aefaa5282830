/** Small statistics over samples; every figure reports medians of repeated, interleaved rounds. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear interpolation between closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
}

export const p99 = (values: readonly number[]) => quantile(values, 0.99);

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A measured figure against its baseline: `measured / baseline`. */
export function ratio(measured: number, baseline: number): number {
  return round(measured / baseline, 3);
}

export const MB = 1024 * 1024;
export const KB = 1024;

/**
 * The median of `measured[i] / baseline[i]`: each pair ran side by side, so a slow spell on a shared
 * machine slows both of a pair, and the median of pair ratios is steadier than a ratio of medians.
 */
export function pairedRatio(measured: readonly number[], baseline: readonly number[]): number {
  const ratios = measured.map((value, index) => value / (baseline[index] ?? Number.NaN)).filter(Number.isFinite);
  return round(median(ratios), 3);
}
