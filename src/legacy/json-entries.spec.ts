import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonEntry, jsonEntries, JsonSyntaxError } from './json-entries';

const dir = mkdtempSync(join(tmpdir(), 'json-entries-'));
let files = 0;

function fileWith(text: string | Buffer): string {
  const file = join(dir, `${files++}.json`);
  writeFileSync(file, text);
  return file;
}

async function entries(
  text: string | Buffer,
  keep = { level1: true, level2: true },
  chunkBytes = 1 << 20,
): Promise<{ entries: JsonEntry[]; streamed: boolean }> {
  const seen = { streamed: false };
  const found: JsonEntry[] = [];
  for await (const entry of jsonEntries(fileWith(text), 'production', keep, seen, chunkBytes)) {
    found.push(entry);
  }
  return { entries: found, streamed: seen.streamed };
}

const TRICKY = {
  generated_at: '2026-01-01T00:00:00',
  machines: [{ name: 'Presse "Süd" {1}', ideal_cycle_time: 1.5e1, notes: ['a,b', '}]', null] }],
  empty: {},
  flag: true,
  nothing: null,
  count: -12.5e-3,
  production: {
    '2026-01-01': { 'Presse "Süd" {1}': { parts_produced: 3, text: 'back\\slash \u00e9\u4e2d' } },
    '2026-01-02': {},
  },
  after: 'the end',
};

describe(jsonEntries.name, () => {
  it.each([1, 2, 3, 7, 64, 1 << 20])(
    'yields the root members and each streamed date, whatever the chunk size (%i bytes)',
    async (chunkBytes) => {
      const { entries: found, streamed } = await entries(
        `\uFEFF ${JSON.stringify(TRICKY, null, 2)} \n`,
        { level1: true, level2: true },
        chunkBytes,
      );
      const level1 = Object.entries(TRICKY).filter(([key]) => key !== 'production');
      expect(found.filter((e) => e.level === 1).map((e) => [e.key, e.value])).toEqual(level1);
      expect(found.filter((e) => e.level === 2).map((e) => [e.key, e.value])).toEqual(
        Object.entries(TRICKY.production),
      );
      expect(streamed).toBe(true);
    },
  );

  it('parses only what it keeps, and says whether the streamed member was an object', async () => {
    const text = JSON.stringify(TRICKY);
    const first = await entries(text, { level1: true, level2: false });
    expect(first.entries.map((e) => e.key)).toEqual([
      'generated_at',
      'machines',
      'empty',
      'flag',
      'nothing',
      'count',
      'after',
    ]);
    const second = await entries(text, { level1: false, level2: true });
    expect(second.entries.map((e) => e.key)).toEqual(['2026-01-01', '2026-01-02']);
    const notAnObject = await entries('{"production": [1, 2]}');
    expect(notAnObject).toEqual({
      entries: [{ level: 1, key: 'production', value: [1, 2] }],
      streamed: false,
    });
  });

  it.each([
    ['an empty file', '', /Unexpected end of the file at line 1, column 1/],
    ['a cut-off file', '{"machines": [1, 2', /Unexpected end of the file/],
    ['a trailing comma', '{"a": 1,}', /Expected a quoted key, found "}" at line 1, column 9/],
    [
      'a stray character on a later line',
      '{\n  "a": 1,\n  "bé": 2 x\n}',
      /Expected "," or "}", found "x" at line 3, column 11/,
    ],
    [
      'a trailing comma inside a kept value',
      '{\n  "machines": [\n    1,\n    2,\n  ]\n}',
      /Unexpected token ']' in the value of "machines" starting at line 2, column 15$/,
    ],
    ['a missing colon', '{"a" 1}', /Expected ":"/],
    ['a missing comma', '{"a": 1 "b": 2}', /Expected "," or "}"/],
    ['text after the object', '{"a": 1} x', /Expected the end of the file/],
    ['a bad value', '{"a": tru}', /in the value of "a"/],
    ['a bad value in a date', '{"production": {"d": {"x": 1,}}}', /in the value of "d"/],
    ['a twice streamed member', '{"production": {}, "production": {}}', /appears twice/],
    ['a missing value', '{"a": }', /Expected a value/],
  ])('refuses %s, saying where', async (_, text, message) => {
    await expect(entries(text)).rejects.toThrow(message);
  });

  it('tells a list at the root from broken JSON', async () => {
    const error = await entries('[1, 2]').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonSyntaxError);
    expect((error as JsonSyntaxError).notAnObject).toBe(true);
  });
});
