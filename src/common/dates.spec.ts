import { addDays, daysInclusive, isIsoDate, todayIn } from './dates';

describe('dates', () => {
  it.each(['2024-02-29', '2026-01-01', '1999-12-31', '0001-01-01', '0050-02-28', '0099-12-31'])(
    'accepts the real date %s (regression: years 0001-0099 were refused)',
    (date) => {
      expect(isIsoDate(date)).toBe(true);
    },
  );

  it.each([
    '0050-02-29',
    '2024-02-30',
    '2023-02-29',
    '2026-13-01',
    '2026-1-01',
    '2026-01-01T00:00:00',
    '',
    'today',
  ])('rejects %j', (date) => {
    expect(isIsoDate(date)).toBe(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('counts days with both ends included', () => {
    expect(daysInclusive('2026-11-01', '2026-11-01')).toBe(1);
    expect(daysInclusive('2026-10-28', '2026-11-26')).toBe(30);
  });

  it("computes today's date in the plant's time zone", () => {
    const instant = new Date('2026-11-26T23:30:00Z');
    expect(todayIn('UTC', instant)).toBe('2026-11-26');
    expect(todayIn('Europe/Berlin', instant)).toBe('2026-11-27');
    expect(todayIn('America/Chicago', instant)).toBe('2026-11-26');
  });
});
