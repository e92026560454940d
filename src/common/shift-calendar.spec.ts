import { lengthInHours, parseShifts, ShiftCalendar, shiftTimes } from './shift-calendar';

const THREE_SHIFTS = 'Early 06:00-14:00,Late 14:00-22:00,Night 22:00-06:00';
const hoursOf = (w: { start: number; end: number }) => (w.end - w.start) / 3_600_000;

function calendar(timeZone: string, value = THREE_SHIFTS): ShiftCalendar {
  const { shifts, problems } = parseShifts(value);
  expect(problems).toEqual([]);
  return new ShiftCalendar(shifts, timeZone);
}

describe(parseShifts.name, () => {
  it('reads names and local hours, a shift across midnight included', () => {
    const hours = (name: string, startHour: number, endHour: number) => ({
      name,
      startHour,
      startMinute: 0,
      endHour,
      endMinute: 0,
    });
    expect(parseShifts(THREE_SHIFTS).shifts).toEqual([
      hours('Early', 6, 14),
      hours('Late', 14, 22),
      hours('Night', 22, 6),
    ]);
    expect(parseShifts('Second shift 14:00-24:00').shifts).toEqual([hours('Second shift', 14, 24)]);
  });

  it('reads minutes: shifts that change over at 05:45, and one that ends at midnight', () => {
    const { shifts, problems } = parseShifts('A 05:45-13:45,B 13:45-21:30,C 21:30-00:00');
    expect(problems).toEqual([]);
    expect(shifts.map((s) => [shiftTimes(s), lengthInHours(s)])).toEqual([
      [{ startTime: '05:45', endTime: '13:45' }, 8],
      [{ startTime: '13:45', endTime: '21:30' }, 7.75],
      [{ startTime: '21:30', endTime: '24:00' }, 2.5],
    ]);
  });

  it.each([
    ['Early 6-14', /is not "<name> HH:MM-HH:MM"/],
    ['Early 06:60-14:00', /a start is 00:00-23:59/],
    ['Early 25:00-02:00', /a start is 00:00-23:59/],
    ['Early 22:00-24:30', /an end 00:00-24:00/],
    ['Early 06:00-06:00', /cannot end when it starts/],
    ['A 06:00-14:00,A 14:00-22:00', /"A" is named twice/],
    ['A 06:00-14:00,B 13:00-22:00', /"A" and "B" overlap at 13:00/],
    ['A 20:00-04:00,B 03:00-06:00', /overlap at 03:00/],
    ['A 06:00-14:15,B 14:10-22:00', /overlap at 14:10/],
  ])('refuses %s', (value, problem) => {
    expect(parseShifts(value).problems.join('; ')).toMatch(problem);
  });
});

describe(ShiftCalendar.name, () => {
  it('places a moment in its shift and date; a night shift belongs to the date it starts', () => {
    const berlin = calendar('Europe/Berlin');
    // 2026-07-01 03:00 in Berlin (CEST, UTC+2) is in the night shift of June 30.
    expect(berlin.windowAt(Date.parse('2026-07-01T01:00:00Z'))).toMatchObject({
      date: '2026-06-30',
      shift: 'Night',
    });
    expect(berlin.windowAt(Date.parse('2026-07-01T04:00:00Z'))).toMatchObject({
      date: '2026-07-01',
      shift: 'Early',
      start: Date.parse('2026-07-01T04:00:00Z'),
      end: Date.parse('2026-07-01T12:00:00Z'),
    });
  });

  it('lasts 7 hours for the night shift into the spring change (Europe/Berlin 2026-03-29)', () => {
    const night = calendar('Europe/Berlin')
      .windowsOn('2026-03-28')
      .find((w) => w.shift === 'Night');
    expect(night).toEqual({
      date: '2026-03-28',
      shift: 'Night',
      start: Date.parse('2026-03-28T21:00:00Z'),
      end: Date.parse('2026-03-29T04:00:00Z'),
    });
    expect(hoursOf(night!)).toBe(7);
  });

  it('lasts 9 hours for the night shift into the autumn change (Europe/Berlin 2026-10-25)', () => {
    const windows = calendar('Europe/Berlin').windowsOn('2026-10-24');
    expect(windows.map(hoursOf)).toEqual([8, 8, 9]);
    expect(windows[2].end).toBe(Date.parse('2026-10-25T05:00:00Z'));
  });

  it('keeps every shift 8 hours in a zone without daylight saving (Asia/Kolkata)', () => {
    const kolkata = calendar('Asia/Kolkata');
    for (const date of ['2026-03-28', '2026-10-24']) {
      expect(kolkata.windowsOn(date).map(hoursOf)).toEqual([8, 8, 8]);
    }
    // 06:00 IST is 00:30 UTC.
    expect(kolkata.windowsOn('2026-01-10')[0].start).toBe(Date.parse('2026-01-10T00:30:00Z'));
  });

  it('reads an hour skipped by the spring change as the moment the clocks jump', () => {
    const skipped = calendar('Europe/Berlin', 'Late 02:00-10:00').windowsOn('2026-03-29')[0];
    expect(skipped.start).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(hoursOf(skipped)).toBe(7);
  });

  it('places shifts that start off the hour, across the autumn change too', () => {
    const quarter = calendar(
      'Europe/Berlin',
      'Early 05:45-13:45,Late 13:45-21:45,Night 21:45-05:45',
    );
    expect(quarter.windowAt(Date.parse('2026-07-01T03:44:00Z'))).toMatchObject({
      date: '2026-06-30',
      shift: 'Night',
    });
    expect(quarter.windowAt(Date.parse('2026-07-01T03:45:00Z'))).toMatchObject({
      date: '2026-07-01',
      shift: 'Early',
      end: Date.parse('2026-07-01T11:45:00Z'),
    });
    // 21:45 CEST (19:45 UTC) to 05:45 CET (04:45 UTC): 9 hours.
    expect(quarter.windowsOn('2026-10-24').map(hoursOf)).toEqual([8, 8, 9]);
    // A start inside the skipped hour (02:30 on 2026-03-29) moves on by the hour: 03:30 CEST.
    const skipped = calendar('Europe/Berlin', 'Late 02:30-10:30').windowsOn('2026-03-29')[0];
    expect(skipped.start).toBe(Date.parse('2026-03-29T01:30:00Z'));
    expect(hoursOf(skipped)).toBe(7);
  });

  it('leaves time outside every shift uncovered', () => {
    const twoShifts = calendar('UTC', 'Day 06:00-14:00,Night 14:00-22:00');
    expect(twoShifts.windowAt(Date.parse('2026-05-05T23:00:00Z'))).toBeNull();
    expect(twoShifts.latestStartedAt(Date.parse('2026-05-05T23:00:00Z'))).toMatchObject({
      date: '2026-05-05',
      shift: 'Night',
    });
  });

  it('lists the windows a span overlaps, in time order', () => {
    const utc = calendar('UTC');
    const windows = utc.windowsBetween(
      Date.parse('2026-05-05T13:00:00Z'),
      Date.parse('2026-05-06T07:00:00Z'),
    );
    expect(windows.map((w) => `${w.date} ${w.shift}`)).toEqual([
      '2026-05-05 Early',
      '2026-05-05 Late',
      '2026-05-05 Night',
      '2026-05-06 Early',
    ]);
  });
});
