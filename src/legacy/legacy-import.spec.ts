import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImportValidationError } from '../common/errors';
import { LegacyFile } from './legacy-format';
import { collectDataset, Dataset } from '../data/dataset';
import { parseLegacyFile, streamLegacyFile } from './legacy-import';

const HERE = fileURLToPath(new URL('.', import.meta.url));

const FIXTURE = join(HERE, '../../test/fixtures/legacy-production.json');

/** A minimal valid file with one record; `record` overrides its fields. */
function file(record: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    machines: [{ id: 1, name: 'CNC-001', type: 'CNC Machining Center', ideal_cycle_time: 45 }],
    shifts: [
      { id: 1, name: 'Day', start_hour: 6, end_hour: 14 },
      { id: 2, name: 'Night', start_hour: 14, end_hour: 22 },
    ],
    production: {
      '2026-01-03': {
        'CNC-001': {
          parts_produced: 110,
          good_parts: 100,
          scrap_parts: 10,
          uptime_hours: 15,
          downtime_hours: 1,
          downtime_events: [{ reason: 'mechanical', description: 'Jam', duration_hours: 1 }],
          quality_issues: [],
          ...record,
        },
      },
    },
    ...extra,
  });
}

function problemsOf(text: string): string[] {
  try {
    parseLegacyFile(text, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ImportValidationError);
    return (error as ImportValidationError).problems;
  }
  throw new Error('expected the file to be rejected');
}

describe(parseLegacyFile.name, () => {
  describe('the original format fixture', () => {
    const original = JSON.parse(readFileSync(FIXTURE, 'utf8')) as LegacyFile;
    const { dataset, generatedAt } = parseLegacyFile(readFileSync(FIXTURE, 'utf8'), FIXTURE);

    it('reads machines with their ideal cycle times, and shifts', () => {
      expect(dataset.machines.map((m) => [m.name, m.idealCycleTimeSeconds])).toEqual([
        ['CNC-001', 45],
        ['Assembly-001', 120],
        ['Packaging-001', 30],
        ['Testing-001', 90],
        ['Lathe-7', 60],
      ]);
      expect(dataset.shifts.map((s) => s.name)).toEqual(['Day', 'Night']);
      expect(generatedAt).toBe('2025-11-02T08:30:00');
    });

    it('keeps every day total exactly, with or without a shift breakdown', () => {
      let records = 0;
      for (const [date, machines] of Object.entries(original.production)) {
        for (const [machine, record] of Object.entries(machines)) {
          records++;
          const rows = dataset.production.filter((r) => r.date === date && r.machine === machine);
          const total = (
            field: 'partsProduced' | 'goodParts' | 'scrapParts' | 'runHours' | 'downtimeHours',
          ) => rows.reduce((n, r) => n + r[field], 0);
          expect(total('partsProduced')).toBe(record.parts_produced);
          expect(total('goodParts')).toBe(record.good_parts);
          expect(total('scrapParts')).toBe(record.scrap_parts);
          expect(total('runHours')).toBeCloseTo(record.uptime_hours, 9);
          expect(total('downtimeHours')).toBeCloseTo(record.downtime_hours, 9);
          for (const r of rows) {
            expect(r.goodParts + r.scrapParts).toBe(r.partsProduced);
            expect(r.plannedHours).toBeCloseTo(r.runHours + r.downtimeHours, 9);
          }
          if (!record.shifts) expect(rows.map((r) => r.shift)).toEqual(['Day']);
        }
      }
      expect(records).toBe(94);
      expect(new Set(dataset.production.map((r) => r.date)).size).toBe(20);
    });
  });

  it('reads a file that starts with a UTF-8 byte order mark (regression: "not valid JSON")', () => {
    expect(parseLegacyFile(`\uFEFF${file()}`, 'f').dataset.production).toHaveLength(1);
  });

  it("accepts the original's loose records: events over the day's downtime, issues on a day without parts", () => {
    const { dataset } = parseLegacyFile(
      file({
        parts_produced: 0,
        good_parts: 0,
        scrap_parts: 0,
        uptime_hours: 14.72,
        downtime_hours: 1.28,
        downtime_events: [
          { reason: 'mechanical', description: 'Bearing failure', duration_hours: 2.01 },
        ],
        quality_issues: [{ type: 'surface', description: 'x', parts_affected: 8, severity: 'Low' }],
      }),
      'f',
    );
    expect(dataset.downtimeEvents[0].durationHours).toBe(2.01);
    expect(dataset.qualityIssues[0].partsAffected).toBe(8);
  });

  it('keeps names such as __proto__ and constructor as names', () => {
    const names = ['__proto__', 'constructor', 'hasOwnProperty'];
    const text = JSON.stringify({
      machines: names.map((name, id) => ({ id, name, type: 'x', ideal_cycle_time: 60 })),
      shifts: names.map((name, id) => ({ id, name, start_hour: id * 8, end_hour: id * 8 + 8 })),
      production: {
        '2026-01-03': Object.fromEntries(
          names.map((name) => [
            name,
            {
              parts_produced: 3,
              good_parts: 3,
              scrap_parts: 0,
              uptime_hours: 3,
              downtime_hours: 0,
              shifts: Object.fromEntries(
                names.map((shift) => [
                  shift,
                  {
                    parts_produced: 1,
                    good_parts: 1,
                    scrap_parts: 0,
                    uptime_hours: 1,
                    downtime_hours: 0,
                  },
                ]),
              ),
            },
          ]),
        ),
      },
    });
    const { dataset } = parseLegacyFile(text, 'f');
    expect(dataset.production.map((r) => `${r.machine}/${r.shift}`)).toEqual(
      names.flatMap((machine) => names.map((shift) => `${machine}/${shift}`)),
    );
  });

  it('accepts dates written with a time, and ignores extra fields', () => {
    const { dataset } = parseLegacyFile(
      file(
        { operator: 'Kim' },
        { start_date: '2026-01-03T00:00:00', end_date: '2026-01-03', plant: 'X' },
      ),
      'f',
    );
    expect(dataset.production[0].date).toBe('2026-01-03');
  });

  it('puts a record without a shift breakdown in the first shift, planned = uptime + downtime', () => {
    const { dataset } = parseLegacyFile(file(), 'f');
    expect(dataset.production).toEqual([
      {
        machine: 'CNC-001',
        date: '2026-01-03',
        shift: 'Day',
        plannedHours: 16,
        runHours: 15,
        downtimeHours: 1,
        partsProduced: 110,
        goodParts: 100,
        scrapParts: 10,
      },
    ]);
  });

  it('keeps recorded shift values and gives the last shift the remainder', () => {
    const shifts = {
      Night: {
        parts_produced: 1,
        good_parts: 30,
        scrap_parts: 5,
        uptime_hours: 7,
        downtime_hours: 0.7,
      },
      Day: {
        parts_produced: 1,
        good_parts: 60,
        scrap_parts: 4,
        uptime_hours: 7.49,
        downtime_hours: 0.2,
      },
    };
    const rows = parseLegacyFile(file({ shifts }), 'f').dataset.production;
    expect(
      rows.map((r) => [
        r.shift,
        r.goodParts,
        r.scrapParts,
        r.partsProduced,
        r.runHours,
        r.downtimeHours,
      ]),
    ).toEqual([
      ['Day', 60, 4, 64, 7.49, 0.2],
      ['Night', 40, 6, 46, 7.51, 0.8],
    ]);
  });

  it('splits the day totals in proportion when the recorded shift values exceed them', () => {
    const shifts = {
      Day: {
        parts_produced: 0,
        good_parts: 90,
        scrap_parts: 3,
        uptime_hours: 12,
        downtime_hours: 0,
      },
      Night: {
        parts_produced: 0,
        good_parts: 30,
        scrap_parts: 2,
        uptime_hours: 12,
        downtime_hours: 0,
      },
    };
    const rows = parseLegacyFile(file({ shifts }), 'f').dataset.production;
    // good: 100 split 3:1; scrap 10 over 5 recorded fits (Day 3, Night 7); uptime 15 split 1:1.
    expect(rows.map((r) => [r.goodParts, r.scrapParts, r.runHours, r.downtimeHours])).toEqual([
      [75, 3, 7.5, 0],
      [25, 7, 7.5, 1],
    ]);
  });

  it.each<[string, string, string]>([
    [
      'a negative count',
      file({ parts_produced: -5 }),
      'production["2026-01-03"]["CNC-001"].parts_produced: -5 is negative',
    ],
    [
      'more good parts than parts',
      file({ parts_produced: 800, good_parts: 812, scrap_parts: 0 }),
      'production["2026-01-03"]["CNC-001"].good_parts: 812 is more than parts_produced (800)',
    ],
    [
      'good + scrap not equal to parts',
      file({ scrap_parts: 11 }),
      'production["2026-01-03"]["CNC-001"].scrap_parts: good_parts + scrap_parts (100 + 11) must equal parts_produced (110)',
    ],
    [
      'a missing number',
      file({ uptime_hours: undefined }),
      'production["2026-01-03"]["CNC-001"].uptime_hours: expected a number',
    ],
    ['more than 24 hours', file({ uptime_hours: 30 }), 'uptime_hours: 30 is more than 24'],
    [
      'a machine not in "machines"',
      file({}, { production: { '2026-01-03': { 'CNC-9': {} } } }),
      'production["2026-01-03"]["CNC-9"]: machine "CNC-9" is not in "machines"',
    ],
    [
      'an impossible date',
      file({}, { production: { '2024-02-30': {} } }),
      'production["2024-02-30"]: "2024-02-30" is not a date',
    ],
    [
      'an impossible start date',
      file({}, { start_date: '2025-13-01' }),
      'start_date: "2025-13-01" is not a date',
    ],
    [
      'an unknown severity',
      file({
        quality_issues: [
          { type: 'surface', description: 'x', parts_affected: 1, severity: 'Critical' },
        ],
      }),
      'production["2026-01-03"]["CNC-001"].quality_issues[0].severity: "Critical" is not Low, Medium or High',
    ],
    [
      'an event without a reason',
      file({ downtime_events: [{ description: 'x', duration_hours: 1 }] }),
      'production["2026-01-03"]["CNC-001"].downtime_events[0].reason: expected a non-empty text',
    ],
    [
      'an unknown shift in a breakdown',
      file({
        shifts: {
          Swing: {
            parts_produced: 1,
            good_parts: 1,
            scrap_parts: 0,
            uptime_hours: 1,
            downtime_hours: 0,
          },
        },
      }),
      'production["2026-01-03"]["CNC-001"].shifts["Swing"]: "Swing" is not a shift in "shifts"',
    ],
    [
      'a machine without a cycle time',
      file({}, { machines: [{ name: 'CNC-001', type: 'x' }] }),
      'machines[0].ideal_cycle_time: expected a number',
    ],
    [
      'a count written as 1e309 (regression: reported as "got null")',
      file({}).replace('"parts_produced":110', '"parts_produced":1e309'),
      'production["2026-01-03"]["CNC-001"].parts_produced: is too large to be a number',
    ],
    [
      'an absurd count (1e308)',
      file({ parts_produced: 1e308 }),
      'production["2026-01-03"]["CNC-001"].parts_produced: 1e+308 is beyond 2^53',
    ],
    [
      '3e9 parts in one machine-day',
      file({ parts_produced: 3e9, good_parts: 3e9, scrap_parts: 0 }),
      'production["2026-01-03"]["CNC-001"].parts_produced: 3000000000 is more than 10000000',
    ],
    [
      'a count beyond 2^53',
      file({
        quality_issues: [
          { type: 'surface', description: 'x', parts_affected: 2 ** 53 + 2, severity: 'Low' },
        ],
      }),
      'production["2026-01-03"]["CNC-001"].quality_issues[0].parts_affected: 9007199254740994 is beyond 2^53',
    ],
    [
      'a control character in a machine name (regression: reached the terminal)',
      file({}, { machines: [{ id: 1, name: 'CNC\u001b[2J', type: 'x', ideal_cycle_time: 45 }] }),
      'machines[0].name: "CNC\\u001b[2J" contains a control character',
    ],
    [
      'a newline in a reason',
      file({ downtime_events: [{ reason: 'mech\nanical', description: 'x', duration_hours: 1 }] }),
      'downtime_events[0].reason: "mech\\nanical" contains a control character',
    ],
    [
      'a text-direction override in a shift name',
      file({}, { shifts: [{ id: 1, name: 'Day\u202e', start_hour: 6, end_hour: 14 }] }),
      'shifts[0].name: "Day\\u202e" contains a control character',
    ],
    [
      'a 20 h event on a day of 16 recorded hours (regression: accepted)',
      file({ downtime_events: [{ reason: 'mechanical', description: 'x', duration_hours: 20 }] }),
      'production["2026-01-03"]["CNC-001"].downtime_events[0].duration_hours: 20 h is longer than the day\'s recorded time (uptime_hours + downtime_hours = 16 h)',
    ],
    [
      'events adding up to more than the recorded day',
      file({
        downtime_events: [
          { reason: 'mechanical', description: 'x', duration_hours: 10 },
          { reason: 'electrical', description: 'y', duration_hours: 10 },
        ],
      }),
      'production["2026-01-03"]["CNC-001"].downtime_events: the events add up to 20 h, more than the day\'s recorded time (16 h)',
    ],
    [
      '1,000,000 parts affected on a day with 110 parts (regression: accepted)',
      file({
        quality_issues: [
          { type: 'surface', description: 'x', parts_affected: 1_000_000, severity: 'Low' },
        ],
      }),
      'quality_issues[0].parts_affected: 1000000 is more than CNC-001 made that day (110) or could make in its recorded time (1280)',
    ],
    ['malformed JSON', '{"machines": [', 'not valid JSON'],
    [
      'a file that is not this format',
      '{"rows": []}',
      'not a production file in the original format',
    ],
    ['a JSON array', '[1, 2]', 'not a production file in the original format'],
  ])('rejects %s, naming the place', (_name, text, problem) => {
    expect(problemsOf(text).join('\n')).toContain(problem);
  });

  it('lists every problem, not only the first, and says nothing was written', () => {
    const text = file({ parts_produced: -1, good_parts: -2 });
    expect(problemsOf(text)).toHaveLength(2);
    expect(() => parseLegacyFile(text, 'bad.json')).toThrow(
      /Cannot import bad.json: 2 problems, nothing was written/,
    );
  });
});

describe(streamLegacyFile.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'legacy-stream-'));
  let count = 0;
  const saved = (text: string) => {
    const path = join(dir, `${count++}.json`);
    writeFileSync(path, text);
    return path;
  };
  async function read(path: string): Promise<Dataset> {
    const source = await streamLegacyFile(path);
    return collectDataset(source.plant, source.days());
  }

  it('reads what the whole-text parser reads, date by date', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    expect(await read(FIXTURE)).toEqual(parseLegacyFile(text, FIXTURE).dataset);
  });

  it('reads a file whose production comes before its machines', async () => {
    const { production, ...rest } = JSON.parse(file()) as Record<string, unknown>;
    const reordered = JSON.stringify({ production, ...rest });
    expect(await read(saved(reordered))).toEqual(parseLegacyFile(file(), 'test.json').dataset);
  });

  it('lists problems from the plant and from every date, after reading them all', async () => {
    const broken = JSON.parse(file({ good_parts: 'many' })) as LegacyFile;
    broken.machines[0].ideal_cycle_time = -1;
    const error = await read(saved(JSON.stringify(broken))).catch((e: unknown) => e);
    expect((error as ImportValidationError).problems).toEqual([
      'machines[0].ideal_cycle_time: -1 is negative',
      'production["2026-01-03"]["CNC-001"].good_parts: expected a number, got "many"',
    ]);
  });

  it('yields nothing of a file with a problem in its last date before refusing it', async () => {
    const two = JSON.parse(file()) as LegacyFile;
    two.production['2026-01-04'] = {
      'CNC-001': { ...two.production['2026-01-03']['CNC-001'], scrap_parts: 1 },
    };
    const source = await streamLegacyFile(saved(JSON.stringify(two)));
    const yielded: unknown[] = [];
    const error = await (async () => {
      for await (const day of source.days()) yielded.push(day);
    })().catch((e: unknown) => e);
    expect(yielded).toHaveLength(1);
    expect((error as ImportValidationError).problems).toEqual([
      'production["2026-01-04"]["CNC-001"].scrap_parts: good_parts + scrap_parts (100 + 1) must equal parts_produced (110)',
    ]);
  });

  it.each([
    ['missing', 'nothing.json', /Cannot read .*nothing.json: no such file/],
    ['not JSON', '{"machines": [', /not valid JSON: Unexpected end of the file/],
    ['a list', '[1, 2]', /not a production file in the original format/],
  ])('refuses a file that is %s', async (_, content, message) => {
    const path = content.endsWith('.json') ? join(dir, content) : saved(content);
    await expect(streamLegacyFile(path)).rejects.toThrow(message);
  });
});
