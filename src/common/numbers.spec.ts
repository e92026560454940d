import { round, roundHours, splitProportionally } from './numbers';

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
});
