import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { LegacyFile } from '../src/legacy/legacy-format';
import { DatasetStats } from '../src/data/data.service';
import { FIXTURES, ROOT, runCli, scratchDir } from './support/processes';

/**
 * The `factory-agent` CLI, run as a real process against a database in a scratch directory.
 * Needs the build (npm test builds first).
 */
describe('factory-agent CLI', () => {
  let dir: string;
  let cleanup: () => void;
  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  const statsJson = async () =>
    JSON.parse((await cli('stats', '--json')).stdout) as DatasetStats & { factory: string };

  beforeEach(() => {
    ({ dir, cleanup } = scratchDir());
  });
  afterEach(() => cleanup());

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect((await cli('--version')).stdout).toBe(`${version}\n`);
  });

  it('sets up demo data and reports it in stats', async () => {
    const setup = await cli(
      'setup',
      '--days',
      '10',
      '--machines',
      '5',
      '--seed',
      '3',
      '--end-date',
      '2026-03-10',
      '--json',
    );
    expect(setup.code).toBe(0);
    expect(JSON.parse(setup.stdout)).toMatchObject({
      days: 10,
      startDate: '2026-03-01',
      endDate: '2026-03-10',
      machines: ['CNC-001', 'Assembly-001', 'Packaging-001', 'Testing-001', 'CNC-002'],
      productionRows: 100,
    });
    expect(await statsJson()).toEqual({
      factory: 'Demo Factory',
      exists: true,
      startDate: '2026-03-01',
      endDate: '2026-03-10',
      totalDays: 10,
      daysWithData: 10,
      totalMachines: 5,
      totalShifts: 2,
      totalRecords: 50,
    });
    const table = await cli('stats');
    expect(table.stdout).toMatch(/Date range\s+2026-03-01 to 2026-03-10/);
    expect(table.stdout).toMatch(/Records\s+50 machine-days/);
    expect(table.stderr).toBe('');
  });

  it('gives the same data for the same options', async () => {
    const options = ['setup', '--days', '7', '--seed', '5', '--end-date', '2026-01-07'];
    await cli(...options);
    await cli('export', 'a.json');
    await cli(...options);
    await cli('export', 'b.json');
    const strip = (file: string) => ({
      ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as LegacyFile),
      generated_at: null,
    });
    expect(strip('a.json')).toEqual(strip('b.json'));
  });

  it('imports a file in the original format, and import -> export -> import -> export is stable', async () => {
    const imported = await cli('import', join(FIXTURES, 'legacy-production.json'), '--json');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      mode: 'replace',
      machines: 5,
      productionRows: 177,
    });
    expect(await statsJson()).toMatchObject({
      startDate: '2025-10-13',
      endDate: '2025-11-02',
      totalDays: 21,
      daysWithData: 20,
      totalMachines: 5,
      totalRecords: 94,
    });

    expect((await cli('export', 'first.json')).code).toBe(0);
    expect((await cli('import', 'first.json')).code).toBe(0);
    expect((await cli('export', 'second.json')).code).toBe(0);
    const first = readFileSync(join(dir, 'first.json'), 'utf8');
    expect(readFileSync(join(dir, 'second.json'), 'utf8')).toBe(first);

    // The export keeps every day total of the original file.
    const original = JSON.parse(
      readFileSync(join(FIXTURES, 'legacy-production.json'), 'utf8'),
    ) as LegacyFile;
    const exported = JSON.parse(first) as LegacyFile;
    expect(exported.generated_at).toBe(original.generated_at);
    for (const [date, machines] of Object.entries(original.production)) {
      for (const [machine, record] of Object.entries(machines)) {
        const out = exported.production[date][machine];
        for (const field of [
          'parts_produced',
          'good_parts',
          'scrap_parts',
          'uptime_hours',
          'downtime_hours',
        ] as const) {
          expect([date, machine, field, out[field]]).toEqual([date, machine, field, record[field]]);
        }
        expect(out.downtime_events).toHaveLength(record.downtime_events.length);
        expect(out.quality_issues).toHaveLength(record.quality_issues.length);
      }
    }
  });

  it('keeps machines and shifts named __proto__, constructor, hasOwnProperty through import -> export -> import -> export (regression: a "__proto__" shift was lost)', async () => {
    const names = ['__proto__', 'constructor', 'hasOwnProperty'];
    const shiftRecord = {
      parts_produced: 2,
      good_parts: 2,
      scrap_parts: 0,
      uptime_hours: 2,
      downtime_hours: 0,
    };
    const file = {
      machines: names.map((name, id) => ({ id, name, type: 'Press', ideal_cycle_time: 60 })),
      shifts: names.map((name, id) => ({ id, name, start_hour: id * 8, end_hour: id * 8 + 8 })),
      production: {
        '2026-01-05': Object.fromEntries(
          names.map((machine) => [
            machine,
            {
              parts_produced: 6,
              good_parts: 6,
              scrap_parts: 0,
              uptime_hours: 6,
              downtime_hours: 0,
              shifts: Object.fromEntries(names.map((shift) => [shift, shiftRecord])),
            },
          ]),
        ),
      },
    };
    writeFileSync(join(dir, 'tricky.json'), JSON.stringify(file));
    expect((await cli('import', 'tricky.json')).code).toBe(0);
    expect((await cli('export', 'first.json')).code).toBe(0);
    expect((await cli('import', 'first.json')).code).toBe(0);
    expect((await cli('export', 'second.json')).code).toBe(0);
    const first = readFileSync(join(dir, 'first.json'), 'utf8');
    expect(readFileSync(join(dir, 'second.json'), 'utf8')).toBe(first);
    const exported = JSON.parse(first) as LegacyFile;
    for (const machine of names) {
      expect(Object.keys(exported.production['2026-01-05'][machine].shifts ?? {})).toEqual(names);
    }
    expect(await statsJson()).toMatchObject({ totalMachines: 3, totalShifts: 3, totalRecords: 3 });
  });

  it('uses DATA_FILE as the default file for export and import', async () => {
    await cli('setup', '--days', '3', '--end-date', '2026-02-03');
    const env = { DATA_FILE: join(dir, 'exports/plant.json') };
    expect((await runCli(['export'], { cwd: dir, env })).stdout).toContain('plant.json');
    const reimport = await runCli(['import', '--json'], { cwd: dir, env });
    expect(JSON.parse(reimport.stdout)).toMatchObject({ file: env.DATA_FILE, productionRows: 24 });
  });

  it('merges: machine-days in the file replace stored ones, others stay', async () => {
    await cli('setup', '--days', '5', '--end-date', '2025-10-14');
    const patch = {
      machines: [{ id: 9, name: 'Lathe-7', type: 'Turning Lathe', ideal_cycle_time: 60 }],
      production: {
        '2025-10-14': {
          'Lathe-7': {
            parts_produced: 100,
            good_parts: 98,
            scrap_parts: 2,
            uptime_hours: 15,
            downtime_hours: 1,
            downtime_events: [],
            quality_issues: [],
          },
        },
      },
    };
    writeFileSync(join(dir, 'patch.json'), JSON.stringify(patch));
    const merged = await cli('import', 'patch.json', '--merge');
    expect(merged.code).toBe(0);
    expect(await statsJson()).toMatchObject({
      startDate: '2025-10-10',
      totalMachines: 5,
      totalRecords: 21,
    });
  });

  describe('rejections leave the stored data unchanged', () => {
    const badFiles: [string, string, RegExp][] = [
      ['malformed JSON', '{"machines": [', /not valid JSON/],
      ['another format', '{"rows": []}', /not a production file in the original format/],
      [
        'good parts over parts',
        JSON.stringify({
          machines: [{ name: 'CNC-001', type: 'CNC', ideal_cycle_time: 45 }],
          production: {
            '2026-01-03': {
              'CNC-001': {
                parts_produced: 800,
                good_parts: 812,
                scrap_parts: 0,
                uptime_hours: 8,
                downtime_hours: 0,
              },
            },
          },
        }),
        /production\["2026-01-03"\]\["CNC-001"\]\.good_parts: 812 is more than parts_produced \(800\)/,
      ],
      [
        'an impossible date after many valid days',
        (() => {
          const fixture = JSON.parse(
            readFileSync(join(FIXTURES, 'legacy-production.json'), 'utf8'),
          );
          fixture.production['2025-02-30'] = {};
          return JSON.stringify(fixture);
        })(),
        /production\["2025-02-30"\]: "2025-02-30" is not a date/,
      ],
    ];

    it.each(badFiles)('%s', async (_name, content, message) => {
      await cli('setup', '--days', '4', '--end-date', '2026-05-04');
      await cli('export', 'before.json');
      writeFileSync(join(dir, 'bad.json'), content);
      for (const args of [
        ['import', 'bad.json'],
        ['import', 'bad.json', '--merge'],
      ]) {
        const result = await cli(...args);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toContain('nothing was written');
      }
      await cli('export', 'after.json');
      expect(readFileSync(join(dir, 'after.json'), 'utf8')).toBe(
        readFileSync(join(dir, 'before.json'), 'utf8'),
      );
    });
  });

  it('refuses a write while another process holds the database file, in one clear line, writing nothing (regression: a stack trace)', async () => {
    await cli('setup', '--days', '4', '--end-date', '2026-05-04');
    await cli('export', 'before.json');
    const holder = new SqliteDatabase(join(dir, 'data', 'factory.db'));
    try {
      holder.exec('begin immediate');
      // The import waits 5 s for the lock, then gives up.
      const result = await cli('import', join(FIXTURES, 'legacy-production.json'));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'Error: The database file is locked by another write (an import or a setup?); nothing was written, retry when it has finished. (database is locked)\n',
      );
      expect(result.stdout).toBe('');
      // Reads go on without writing first (regression: every command applied staged live signals
      // at start, so it waited 5 s for the lock and printed a warning, once on stdout).
      const stats = await cli('stats', '--json');
      expect(stats.code).toBe(0);
      expect(JSON.parse(stats.stdout)).toMatchObject({ exists: true, totalDays: 4 });
      expect(stats.stderr).toBe('');
      holder.exec('rollback');
    } finally {
      holder.close();
    }
    await cli('export', 'after.json');
    expect(readFileSync(join(dir, 'after.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'before.json'), 'utf8'),
    );
  });

  it.each<[string[], Record<string, string>, RegExp]>([
    [['setup', '--days', '0'], {}, /^Error: days must be a whole number from 1 to 3650, got 0\n$/],
    [['setup', '--days', 'ten'], {}, /argument 'ten' is invalid. must be a whole number/],
    [
      ['setup', '--end-date', '2024-02-30'],
      {},
      /^Error: end date must be a calendar date YYYY-MM-DD, got "2024-02-30"\n$/,
    ],
    [['import', 'missing.json'], {}, /^Error: Cannot read missing.json: no such file\n$/],
    [['oee', '--to', '2024-13-01'], {}, /^Error: Invalid date "2024-13-01"/],
    [
      ['stats'],
      { FACTORY_TIMEZONE: 'Moon/Base' },
      /^Error: Invalid configuration: FACTORY_TIMEZONE="Moon\/Base" must be an IANA time zone name/,
    ],
    [['frobnicate'], {}, /unknown command 'frobnicate'/],
  ])('exits 1 with one clear line for %j', async (args, env, message) => {
    const result = await runCli(args, { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('prints help listing every command', async () => {
    const help = await cli('--help');
    for (const command of ['setup', 'import', 'export', 'stats', 'machines', 'migrate']) {
      expect(help.stdout).toContain(command);
    }
  });

  it('lists machines and migrations', async () => {
    await cli('setup', '--days', '2', '--end-date', '2026-01-02');
    expect((await cli('machines')).stdout).toMatch(/Packaging-001\s+Automated Packaging Line\s+30/);
    expect((await cli('migrate')).stdout).toMatch(/0001-initial\s+\d{4}-\d{2}-\d{2}T/);
  });
});
