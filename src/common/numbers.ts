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
