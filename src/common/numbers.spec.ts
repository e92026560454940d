import { round, roundHours, roundParts, splitProportionally } from './numbers';

describe('numbers', () => {
  it('rounds away float noise', () => {
    expect(roundHours(4.109999999999999)).toBe(4.11);
    expect(round(0.1 + 0.2, 2)).toBe(0.3);
  });

  it('splits an integer in proportion, summing exactly to the total', () => {
    expect(splitProportionally(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitProportionally(47, [393, 0])).toEqual([47, 0]);
    expect(splitProportionally(5, [0, 0])).toEqual([0, 5]);
    const parts = splitProportionally(1001, [3, 5, 7, 11]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(1001);
  });

  it('rounds parts so that they add up to the rounded total, each within a unit', () => {
    // Rounded one by one: 1 + 1 + 1 + 0.99 = 3.99, not 4.
    expect(roundParts([1.004, 1.004, 1.004, 0.988], 2)).toEqual([1.01, 1, 1, 0.99]);
    let seed = 7;
    const next = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 10 - 2;
    for (let i = 0; i < 200; i++) {
      const parts = [next(), next(), next(), next()];
      const rounded = roundParts(parts, 2);
      const total = parts.reduce((a, b) => a + b);
      expect(
        round(
          rounded.reduce((a, b) => a + b),
          2,
        ),
      ).toBe(round(total, 2));
      rounded.forEach((value, k) => expect(Math.abs(value - parts[k])).toBeLessThan(0.01 + 1e-9));
    }
  });
});
