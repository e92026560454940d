/** Rounds to a fixed number of decimals without the float noise of naive sums (4.109999999999999). */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round((value + Number.EPSILON) * factor) / factor;
}

/** Hours are kept to 1/10,000 h (0.36 s): finer than any plant records and free of float noise. */
export function roundHours(hours: number): number {
  return round(hours, 4);
}

export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Splits an integer total in proportion to weights (largest remainder), summing exactly to total. */
export function splitProportionally(total: number, weights: number[]): number[] {
  const weightSum = sum(weights);
  if (weightSum <= 0) return weights.map((_, i) => (i === weights.length - 1 ? total : 0));
  const exact = weights.map((w) => (total * w) / weightSum);
  const result = exact.map(Math.floor);
  const order = exact
    .map((value, index) => ({ index, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  const remainder = total - sum(result);
  for (let i = 0; i < remainder; i++) result[order[i].index]++;
  return result;
}

/**
 * Rounds parts that add up to a total to `decimals` so that the rounded parts add up to the
 * rounded total exactly (largest remainder); each part stays within one unit of its own value.
 */
export function roundParts(parts: number[], decimals: number): number[] {
  const factor = 10 ** decimals;
  const scaled = parts.map((part) => part * factor);
  const floors = scaled.map((value) => Math.floor(value + 1e-9));
  const order = scaled
    .map((value, index) => ({ index, fraction: value - floors[index] }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  const remainder = Math.round(sum(scaled)) - sum(floors);
  for (let i = 0; i < remainder; i++) floors[order[i].index]++;
  return floors.map((value) => round(value / factor, decimals));
}
