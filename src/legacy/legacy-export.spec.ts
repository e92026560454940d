import { Dataset } from '../data/dataset';
import { toLegacyFile } from './legacy-export';
import { parseLegacyFile } from './legacy-import';

/** Names that are also the names of Object's own members. */
const TRICKY = ['__proto__', 'constructor', 'hasOwnProperty', 'toString'];

function dataset(): Dataset {
  return {
    machines: TRICKY.map((name) => ({ name, type: 'Press', idealCycleTimeSeconds: 60 })),
    shifts: TRICKY.map((name, i) => ({
      name,
      startHour: i * 6,
      endHour: i * 6 + 6,
      startMinute: 0,
      endMinute: 0,
    })),
    production: TRICKY.flatMap((machine) =>
      TRICKY.map((shift, i) => ({
        machine,
        date: '2026-01-05',
        shift,
        plannedHours: 2,
        runHours: 1.5,
        downtimeHours: 0.5,
        partsProduced: 10 + i,
        goodParts: 9 + i,
        scrapParts: 1,
      })),
    ),
    downtimeEvents: TRICKY.map((machine, i) => ({
      machine,
      date: '2026-01-05',
      shift: TRICKY[i],
      reason: 'mechanical',
      description: 'Jam',
      durationHours: 0.5,
    })),
    qualityIssues: TRICKY.map((machine, i) => ({
      machine,
      date: '2026-01-05',
      shift: TRICKY[(i + 1) % TRICKY.length],
      type: 'surface',
      description: 'Scratch',
      partsAffected: 1,
      severity: 'Low' as const,
    })),
  };
}

describe(toLegacyFile.name, () => {
  it('keeps shifts and machines named __proto__, constructor, ... through export and import (regression: a "__proto__" shift was lost)', () => {
    const original = dataset();
    const text = JSON.stringify(toLegacyFile(original, { generatedAt: 'x' }, new Date(0)));
    const { dataset: back } = parseLegacyFile(text, 'round-trip.json');
    expect(back.machines).toEqual(original.machines);
    expect(back.shifts).toEqual(original.shifts);
    expect(back.production).toEqual(original.production);
    expect(back.downtimeEvents).toEqual(original.downtimeEvents);
    expect(back.qualityIssues).toEqual(original.qualityIssues);
  });

  it('writes the minutes of a shift off the hour, and only of such a shift', () => {
    const original = dataset();
    original.shifts[1] = { ...original.shifts[1], startMinute: 45, endMinute: 30 };
    const file = toLegacyFile(original, { generatedAt: 'x' }, new Date(0));
    expect(file.shifts.map((s) => [s.start_minute, s.end_minute])).toEqual([
      [undefined, undefined],
      [45, 30],
      [undefined, undefined],
      [undefined, undefined],
    ]);
    const { dataset: back } = parseLegacyFile(JSON.stringify(file), 'round-trip.json');
    expect(back.shifts).toEqual(original.shifts);
  });
});
