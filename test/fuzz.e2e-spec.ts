import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../src/data/generator/random';
import { startTestApp, TestApp } from './support/test-app';
import { FIXTURES } from './support/processes';
import { worstStall } from './support/stall-probe';

/**
 * A standing guard: generated GraphQL documents (fragments, aliases, nesting, arguments and
 * variables of wrong types) and generated legacy files, thrown at the running app. Whatever comes
 * in: no HTTP 500, no INTERNAL_SERVER_ERROR, no event-loop block over 200 ms, and every rejected
 * write leaves the data as it was. Seeded, so a failure can be replayed; bounded in count.
 */
const SEED = 20261129;
const DOCUMENTS = 300;
const FILES = 12;
const SMALL_PLANT = join(FIXTURES, 'small-plant.json');

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface Field {
  name: string;
  args: { name: string; type: TypeRef }[];
  type: TypeRef;
}
interface SchemaType {
  kind: string;
  name: string;
  fields: Field[] | null;
  enumValues: { name: string }[] | null;
}

const INTROSPECTION = `{ __schema { queryType { name } mutationType { name } types { kind name
  fields { name args { name type { ...T } } type { ...T } } enumValues { name } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

const named = (type: TypeRef): TypeRef => (type.ofType ? named(type.ofType) : type);

/** Argument values of every kind, right and wrong: the server must refuse the wrong ones cleanly. */
function argumentValue(random: Random, type: TypeRef, schema: Map<string, SchemaType>): string {
  const base = named(type);
  const wrong = [
    '""',
    '"2024-02-30"',
    '"0000-00-00"',
    '"9999-12-31"',
    '"0050-01-01"',
    '-1',
    '2147483648',
    '1e400',
    '3.5',
    'null',
    'true',
    `"${'x'.repeat(random.int(1, 3000))}"`,
    '"\\u0000\\u001b[2J"',
    '"__proto__"',
    '[1, 2]',
    '{ a: 1 }',
    'HIGH',
  ];
  if (random.next() < 0.35) return random.pick(wrong);
  switch (base.name) {
    case 'Date':
      return `"2026-01-0${random.int(1, 9)}"`;
    case 'Int':
      return String(random.pick([0, 1, 10, 100, 1000, 1001]));
    case 'String':
      return random.pick(['"M1"', '"m2"', '"CNC-9"', '"M1 "']);
    case 'Boolean':
      return random.pick(['true', 'false']);
    default: {
      const enumType = schema.get(base.name ?? '');
      if (enumType?.enumValues) return random.pick(enumType.enumValues).name;
      return '{ message: "hi", history: [] }';
    }
  }
}

class DocumentFactory {
  private fragments: string[] = [];

  constructor(
    private readonly random: Random,
    private readonly schema: Map<string, SchemaType>,
  ) {}

  document(rootName: string): string {
    this.fragments = [];
    const root = this.schema.get(rootName) as SchemaType;
    const keyword = rootName === 'Mutation' ? 'mutation' : 'query';
    const selection = this.selection(root, 0);
    if (this.random.next() < 0.1) {
      // A variable of the wrong type for where it is used.
      return `${keyword} Fuzz($v: Int) { oee(startDate: $v, endDate: "2026-01-06") { oee } ${selection} }`;
    }
    return `${keyword} { ${selection} } ${this.fragments.join(' ')}`;
  }

  private selection(type: SchemaType, depth: number): string {
    const fields = (type.fields ?? []).filter((f) => !f.name.startsWith('__'));
    const parts: string[] = [];
    const count = this.random.int(1, Math.min(4, fields.length));
    for (let i = 0; i < count; i++) {
      const field = this.random.pick(fields);
      const alias = this.random.next() < 0.3 ? `a${this.random.int(0, 99)}: ` : '';
      const args = field.args
        .filter(() => this.random.next() < 0.85)
        .map((a) => `${a.name}: ${argumentValue(this.random, a.type, this.schema)}`);
      if (this.random.next() < 0.05) args.push('bogus: 1');
      const argText = args.length > 0 ? `(${args.join(', ')})` : '';
      const target = this.schema.get(named(field.type).name ?? '');
      const inner =
        target?.fields && depth < 4 ? ` { ${this.innerSelection(target, depth + 1)} }` : '';
      parts.push(`${alias}${field.name}${argText}${inner}`);
    }
    if (this.random.next() < 0.05) parts.push('nope');
    return parts.join(' ');
  }

  /** Fields, or a named fragment spread (sometimes twice, sometimes chained), or an inline one. */
  private innerSelection(type: SchemaType, depth: number): string {
    const roll = this.random.next();
    if (roll < 0.2) {
      const name = `F${this.fragments.length}`;
      this.fragments.push(`fragment ${name} on ${type.name} { ${this.selection(type, depth)} }`);
      return this.random.next() < 0.5 ? `...${name} ...${name}` : `...${name}`;
    }
    if (roll < 0.3) return `... on ${type.name} { ${this.selection(type, depth)} }`;
    return this.selection(type, depth);
  }
}

/** A copy of the small plant with one random part made wrong. */
function brokenFile(random: Random, original: any): string {
  const file = JSON.parse(JSON.stringify(original));
  const day = file.production['2026-01-05'];
  const record = day[random.pick(Object.keys(day))];
  const bad = random.pick<unknown>([
    -1,
    1e308,
    3e9,
    2 ** 53 + 2,
    'ten',
    null,
    [],
    {},
    '\u001b[31mred',
  ]);
  const mutations: (() => void)[] = [
    () => (record.parts_produced = bad),
    () => (record.uptime_hours = bad),
    () => (record.good_parts = bad),
    () => (file.machines[0].name = bad),
    () => (file.machines[0].ideal_cycle_time = bad),
    () => (record.downtime_events = [{ reason: bad, description: 'x', duration_hours: 1 }]),
    () => (record.downtime_events = [{ reason: 'x', description: 'x', duration_hours: 20 }]),
    () =>
      (record.quality_issues = [
        { type: 'surface', description: 'x', parts_affected: 1_000_000, severity: 'Low' },
      ]),
    () => (file.production['2024-02-30'] = day),
    () => (file.shifts = [{ id: 1, name: bad, start_hour: 6, end_hour: 14 }]),
  ];
  random.pick(mutations)();
  return random.next() < 0.2
    ? JSON.stringify(file).slice(0, -random.int(1, 40))
    : JSON.stringify(file);
}

describe('fuzz: generated documents and files never crash the server or change data when refused', () => {
  let t: TestApp;
  let schema: Map<string, SchemaType>;
  const everything = `{ stats { totalRecords totalMachines startDate endDate }
    oee(startDate: "2026-01-01", endDate: "2026-01-31") { oee totalParts byMachine { machine oee } }
    qualityIssues(startDate: "2026-01-01", endDate: "2026-01-31") { totalIssues issues { machine type } }
    downtime(startDate: "2026-01-01", endDate: "2026-01-31") { totalDowntimeHours downtimeByReason { reason hours } } }`;
  const snapshot = async () => JSON.stringify((await t.gql(everything)).body);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_DEFAULT: '1000000/minute' }, { importFile: SMALL_PLANT });
    const { body } = await t.gql<{ __schema: { types: SchemaType[] } }>(INTROSPECTION);
    schema = new Map(body.data!.__schema.types.map((type) => [type.name, type]));
  });
  afterAll(() => t.close());

  it(`answers ${DOCUMENTS} generated documents with data or client errors, promptly`, async () => {
    const random = new Random(SEED);
    const factory = new DocumentFactory(random, schema);
    const before = await snapshot();
    const failures: string[] = [];
    const stall = await worstStall(t.url, async () => {
      for (let i = 0; i < DOCUMENTS; i++) {
        const query = factory.document(random.next() < 0.85 ? 'Query' : 'Mutation');
        const { status, body } = await t.gql(query, { v: random.pick([1, 'x', null, 1e300]) });
        const codes = (body.errors ?? []).map((e) => e.extensions?.code);
        if (status >= 500 || codes.includes('INTERNAL_SERVER_ERROR') || codes.includes(undefined)) {
          failures.push(`${status} ${JSON.stringify(codes)}: ${query.slice(0, 300)}`);
        }
      }
    });
    expect(failures).toEqual([]);
    expect(stall).toBeLessThan(200);
    // No document may change the data: setup is refused without the admin key.
    expect(await snapshot()).toBe(before);
  });

  it(`refuses ${FILES} generated broken files without writing anything`, async () => {
    const random = new Random(SEED + 1);
    const original = JSON.parse(readFileSync(SMALL_PLANT, 'utf8'));
    const before = await snapshot();
    for (let i = 0; i < FILES; i++) {
      const name = `broken-${i}.json`;
      writeFileSync(join(t.dir, name), brokenFile(random, original));
      const merge = random.next() < 0.5;
      const result = await t.cli('import', name, ...(merge ? ['--merge'] : []));
      expect([result.code, result.stderr]).toEqual([
        1,
        expect.stringMatching(/^Error: Cannot import/),
      ]);
      expect(result.stderr).not.toContain(String.fromCharCode(27));
      expect(await snapshot()).toBe(before);
    }
  }, 120_000);
});
