import { Kysely } from 'kysely';
import { Dataset } from './dataset';
import { DataService } from './data.service';
import {
  createDataService,
  createTestDatabase,
  DATABASE_KINDS,
  TestDatabase,
} from './database/test-databases.testing';
import { createDatabase } from './database/database.provider';
import { Database } from './database/database.types';
import { generateDemoDataset } from './generator/demo-generator';
import { migrateToLatest } from './database/migrations';

const origin = { source: 'demo' as const, generatedAt: '2026-11-26T00:00:00.000Z' };

function smallDataset(): Dataset {
  return generateDemoDataset({ days: 5, machines: 3, seed: 9, endDate: '2026-01-05' });
}

describe.each(DATABASE_KINDS)(`${DataService.name} on %s`, (kind) => {
  let testDb: TestDatabase;
  let db: Kysely<Database>;
  let service: DataService;

  beforeEach(async () => {
    testDb = await createTestDatabase(kind);
    db = createDatabase(testDb.url, { poolSize: 2, statementTimeoutMs: 10_000 });
    await migrateToLatest(db);
    service = createDataService(db, testDb.url, {
      plannedDowntimeReasons: ['Planned Maintenance'],
    });
  });

  afterEach(async () => {
    await service.onModuleDestroy();
    await testDb.drop();
  });

  it('starts empty', async () => {
    expect(await service.isEmpty()).toBe(true);
    expect(await service.stats()).toMatchObject({
      exists: false,
      startDate: null,
      totalRecords: 0,
    });
  });

  it('writes a dataset and reads the same one back', async () => {
    const dataset = smallDataset();
    const summary = await service.replaceDataset(dataset, origin);
    expect(summary).toMatchObject({ machines: 3, productionRows: 30 });
    const { dataset: stored, origin: storedOrigin } = await service.readDataset();
    expect(storedOrigin).toEqual(origin);
    expect(stored.machines).toEqual(dataset.machines);
    expect(stored.production).toHaveLength(dataset.production.length);
    expect(new Set(stored.production)).toEqual(new Set(dataset.production));
    expect(stored.downtimeEvents).toHaveLength(dataset.downtimeEvents.length);
    expect(stored.qualityIssues).toHaveLength(dataset.qualityIssues.length);
  });

  it('reports stats: range, days, machines, shifts and machine-day records', async () => {
    await service.replaceDataset(smallDataset(), origin);
    expect(await service.stats()).toEqual({
      exists: true,
      startDate: '2026-01-01',
      endDate: '2026-01-05',
      totalDays: 5,
      daysWithData: 5,
      totalMachines: 3,
      totalShifts: 2,
      totalRecords: 15,
    });
  });

  it('replaces everything on replace', async () => {
    await service.replaceDataset(smallDataset(), origin);
    await service.replaceDataset(
      generateDemoDataset({ days: 2, machines: 1, seed: 1, endDate: '2027-01-02' }),
      origin,
    );
    expect(await service.stats()).toMatchObject({
      startDate: '2027-01-01',
      totalMachines: 1,
      totalRecords: 2,
    });
  });

  it('finds machines by name in any letter case, and sees the plant a write leaves', async () => {
    await service.replaceDataset(smallDataset(), origin);
    const idOf = async (name: string) =>
      (await service.listMachines()).find((m) => m.name === name)?.id;
    for (let asked = 0; asked < 2; asked++) {
      expect(await service.findMachine('Assembly-001')).toEqual({
        id: await idOf('Assembly-001'),
        name: 'Assembly-001',
      });
      expect(await service.findMachine('cnc-001')).toEqual({
        id: await idOf('CNC-001'),
        name: 'CNC-001',
      });
    }
    expect(await service.findMachine('Lathe-7')).toBeNull();
    await service.replaceDataset(
      {
        ...generateDemoDataset({ days: 2, machines: 1, seed: 1, endDate: '2027-01-02' }),
        machines: [{ name: 'Lathe-7', type: 'Turning Lathe', idealCycleTimeSeconds: 60 }],
        production: [],
        downtimeEvents: [],
        qualityIssues: [],
      },
      origin,
    );
    expect(await service.findMachine('Assembly-001')).toBeNull();
    expect(await service.findMachine('CNC-001')).toBeNull();
    expect(await service.findMachine('Lathe-7')).toEqual({
      id: await idOf('Lathe-7'),
      name: 'Lathe-7',
    });
  });

  it('merges: machine-days in the new data replace stored ones, the rest is kept', async () => {
    await service.replaceDataset(smallDataset(), origin);
    const patch: Dataset = {
      machines: [
        { name: 'CNC-001', type: 'CNC Machining Center', idealCycleTimeSeconds: 40 },
        { name: 'Lathe-7', type: 'Turning Lathe', idealCycleTimeSeconds: 60 },
      ],
      shifts: [{ name: 'Day', startHour: 6, endHour: 14 }],
      production: [
        {
          machine: 'CNC-001',
          date: '2026-01-03',
          shift: 'Day',
          plannedHours: 8,
          runHours: 8,
          downtimeHours: 0,
          partsProduced: 10,
          goodParts: 10,
          scrapParts: 0,
        },
        {
          machine: 'Lathe-7',
          date: '2026-01-06',
          shift: 'Day',
          plannedHours: 8,
          runHours: 7,
          downtimeHours: 1,
          partsProduced: 5,
          goodParts: 5,
          scrapParts: 0,
        },
      ],
      downtimeEvents: [
        {
          machine: 'Lathe-7',
          date: '2026-01-06',
          shift: 'Day',
          reason: 'electrical',
          description: 'Fuse',
          durationHours: 1,
        },
      ],
      qualityIssues: [],
    };
    await service.mergeDataset(patch, { source: 'import', generatedAt: 'x' });
    const { dataset } = await service.readDataset();
    const cnc3 = dataset.production.filter(
      (r) => r.machine === 'CNC-001' && r.date === '2026-01-03',
    );
    expect(cnc3).toEqual([patch.production[0]]);
    expect(
      dataset.downtimeEvents.filter((e) => e.machine === 'CNC-001' && e.date === '2026-01-03'),
    ).toEqual([]);
    expect(
      dataset.production.filter((r) => r.machine === 'CNC-001' && r.date === '2026-01-02'),
    ).toHaveLength(2);
    expect(dataset.machines.map((m) => [m.name, m.idealCycleTimeSeconds])).toEqual([
      ['CNC-001', 40],
      ['Assembly-001', 120],
      ['Packaging-001', 30],
      ['Lathe-7', 60],
    ]);
    expect(await service.stats()).toMatchObject({
      endDate: '2026-01-06',
      totalMachines: 4,
      totalRecords: 16,
    });
  });

  it('leaves the previous data intact when a write fails half-way', async () => {
    await service.replaceDataset(smallDataset(), origin);
    const before = await service.readDataset();
    const broken = smallDataset();
    // The last record written refers to a machine the dataset does not declare: the failure comes
    // after every production row and downtime event of the new dataset has been written.
    broken.qualityIssues.push({ ...broken.qualityIssues[0], machine: 'Ghost-001' });
    await expect(service.replaceDataset(broken, origin)).rejects.toThrow(
      /undeclared machine "Ghost-001"/,
    );
    await expect(service.mergeDataset(broken, origin)).rejects.toThrow(
      /undeclared machine "Ghost-001"/,
    );
    expect(await service.readDataset()).toEqual(before);
  });
});
