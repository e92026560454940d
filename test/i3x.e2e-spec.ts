import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FIXTURES } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';

const KEY = 'i3x-key-0123456789abcdef';
const INGEST_KEY = 'i3x-ingest-key-0123456789';

/** The CESMII i3X interface over real HTTP, on the small plant (M1, M2; 2026-01-05 and 06). */
describe('i3X server', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp(
      {
        I3X_API_KEYS: KEY,
        INGEST_API_KEYS: INGEST_KEY,
        INGEST_AUTO_CREATE_MACHINES: 'false',
        RATE_LIMIT_DEFAULT: '100000/minute',
        // The fixture's Day and Night, and a Late shift to close the clock: live signals of now
        // fall in a shift whenever the tests run (outside every shift a state is not counted).
        SHIFTS: 'Day 06:00-14:00,Night 14:00-22:00,Late 22:00-06:00',
      },
      { importFile: join(FIXTURES, 'small-plant.json') },
    );
    base = `${t.url}/i3x/v1`;
  });
  afterAll(() => t?.close());

  async function call(method: string, path: string, body?: unknown, key: string | null = KEY) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  it('tells anyone what it serves, and nothing more without a key', async () => {
    const info = await call('GET', '/info', undefined, null);
    expect(info).toEqual({
      status: 200,
      body: {
        success: true,
        result: {
          specVersion: '1.0',
          serverVersion: expect.any(String),
          serverName: 'Factory Agent',
          capabilities: {
            query: { history: true },
            update: { current: false, history: false },
            subscribe: { stream: true },
          },
        },
      },
    });
    for (const key of [null, 'wrong-key-0123456789abc']) {
      const refused = await call('GET', '/namespaces', undefined, key);
      expect(refused).toEqual({
        status: 401,
        body: {
          success: false,
          responseDetail: {
            title: 'Unauthorized',
            status: 401,
            detail: 'Missing or invalid bearer token (one of I3X_API_KEYS)',
          },
        },
      });
    }
    const missing = await call('GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.responseDetail.title).toBe('Not Found');
    // Without ADMIN_API_KEY on the server, writes are off, and say so.
    const write = await call('PUT', '/objects/value', { updates: [] });
    expect([write.status, write.body.responseDetail.detail]).toEqual([
      501,
      'Writes are off: set ADMIN_API_KEY on the server, then write with it as the bearer token',
    ]);
  });

  it('gzips its answers when asked, however small', async () => {
    const { headers, raw } = await new Promise<{ headers: any; raw: Buffer }>((resolve, reject) => {
      const req = request(`${base}/namespaces`, {
        headers: { authorization: `Bearer ${KEY}`, 'accept-encoding': 'gzip' },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(raw).toString())).toEqual({
      success: true,
      result: [{ uri: 'urn:factory-agent:i3x', displayName: 'Factory Agent' }],
    });
  });

  it('serves the plant as root, machines and shifts under it, each machine composed of its figures', async () => {
    const roots = await call('GET', '/objects?root=true');
    expect(roots.body.result).toEqual([
      {
        elementId: 'plant',
        displayName: 'Demo Factory',
        typeElementId: 'plant-type',
        parentId: null,
        isComposition: false,
        isExtended: false,
      },
    ]);
    const all = (await call('GET', '/objects?includeMetadata=true')).body.result;
    expect(all.map((o: any) => o.elementId)).toEqual([
      'plant',
      'machine:M1',
      'machine:M1:current-shift',
      'machine:M1:today',
      'machine:M1:downtime-today',
      'machine:M2',
      'machine:M2:current-shift',
      'machine:M2:today',
      'machine:M2:downtime-today',
      'shift:Day',
      'shift:Night',
    ]);
    const m1 = all.find((o: any) => o.elementId === 'machine:M1');
    expect(m1).toMatchObject({
      parentId: 'plant',
      isComposition: true,
      metadata: {
        typeNamespaceUri: 'urn:factory-agent:i3x',
        sourceTypeId: 'Machine',
        relationships: {
          HasParent: ['plant'],
          HasComponent: [
            'machine:M1:current-shift',
            'machine:M1:today',
            'machine:M1:downtime-today',
          ],
        },
      },
    });
    // Every relationship is answered from both ends.
    const related = await call('POST', '/objects/related', {
      elementIds: ['machine:M1:today', 'machine:M1', 'nope'],
      relationshipType: null,
    });
    expect(related.body.success).toBe(false);
    const [today, machine, nope] = related.body.results;
    expect(today.result.map((r: any) => [r.sourceRelationship, r.object.elementId]).sort()).toEqual(
      [
        ['ComponentOf', 'machine:M1'],
        ['HasParent', 'machine:M1'],
      ],
    );
    expect(machine.result.map((r: any) => r.sourceRelationship)).toContain('HasComponent');
    expect(nope).toEqual({
      success: false,
      elementId: 'nope',
      responseDetail: { title: 'Not Found', status: 404, detail: 'Element not found: nope' },
    });
    const types = (await call('GET', '/relationshiptypes')).body.result;
    for (const type of types) {
      expect(types.find((r: any) => r.elementId === type.reverseOf).reverseOf).toBe(type.elementId);
    }
  });

  it('answers values with their quality, components by maxDepth, in request order', async () => {
    const answer = await call('POST', '/objects/value', {
      elementIds: ['machine:M2', 'plant', 'machine:M1:today'],
      maxDepth: 0,
    });
    const [m2, plant, today] = answer.body.results.map((r: any) => r.result);
    expect(answer.body.results.map((r: any) => r.elementId)).toEqual([
      'machine:M2',
      'plant',
      'machine:M1:today',
    ]);
    expect(m2).toMatchObject({
      isComposition: true,
      quality: 'Good',
      value: { machineType: 'Press', idealCycleTimeSeconds: 30, state: null },
    });
    expect(Object.keys(m2.components)).toEqual([
      'machine:M2:current-shift',
      'machine:M2:today',
      'machine:M2:downtime-today',
    ]);
    expect(plant.value).toMatchObject({ name: 'Demo Factory', machines: 2 });
    // The small plant has no data today: no value, and it says so.
    expect(today).toMatchObject({ isComposition: false, value: null, quality: 'GoodNoData' });
    expect(today.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const shallow = await call('POST', '/objects/value', { elementIds: ['machine:M2'] });
    expect(shallow.body.results[0].result.components).toBeUndefined();
  });

  it('reports a running machine that went silent as Uncertain, and Good again when it speaks', async () => {
    const ingest = async (input: unknown) => {
      const { body } = await t.gql(
        `mutation($input: IngestInput!) { ingest(input: $input) { accepted } }`,
        { input },
        { authorization: `Bearer ${INGEST_KEY}` },
      );
      expect(body.data?.ingest.accepted).toBe(1);
    };
    const machine = async () =>
      (await call('POST', '/objects/value', { elementIds: ['machine:M2'] })).body.results[0].result;
    // Started 10 minutes ago (I3X_STALE_SECONDS is 300) and silent since.
    const started = Date.now() - 600_000;
    await ingest({
      states: [{ machine: 'M2', eventId: 'stale-1', at: started, state: 'RUNNING' }],
    });
    expect(await machine()).toMatchObject({
      quality: 'Uncertain',
      value: { state: 'RUNNING', since: new Date(started).toISOString() },
    });
    await ingest({ counts: [{ machine: 'M2', eventId: 'stale-2', at: Date.now(), parts: 1 }] });
    expect(await machine()).toMatchObject({ quality: 'Good', value: { state: 'RUNNING' } });
  });

  it('answers types, relationship types and objects by id, in request order; history is bounded', async () => {
    const types = (await call('GET', '/objecttypes')).body.result;
    expect(types.map((type: any) => type.elementId)).toEqual([
      'plant-type',
      'machine-type',
      'shift-figures-type',
      'day-figures-type',
      'downtime-by-reason-type',
      'shift-type',
    ]);
    expect(types[0].schema.properties.targets.properties).toHaveProperty('scrapRate');
    expect((await call('GET', '/objecttypes?namespaceUri=urn:other')).body.result).toEqual([]);
    const queried = await call('POST', '/objecttypes/query', {
      elementIds: ['shift-type', 'nope', 'plant-type'],
    });
    expect(queried.body.success).toBe(false);
    expect(queried.body.results.map((r: any) => [r.elementId, r.success])).toEqual([
      ['shift-type', true],
      ['nope', false],
      ['plant-type', true],
    ]);
    const relation = await call('POST', '/relationshiptypes/query', {
      elementIds: ['ComponentOf'],
    });
    expect(relation.body.results[0].result).toMatchObject({
      elementId: 'ComponentOf',
      reverseOf: 'HasComponent',
    });
    const listed = await call('POST', '/objects/list', {
      elementIds: ['machine:M2', 'ghost', 'plant'],
      includeMetadata: true,
    });
    expect(
      listed.body.results.map((r: any) => [r.elementId, r.success, r.result?.parentId]),
    ).toEqual([
      ['machine:M2', true, 'plant'],
      ['ghost', false, undefined],
      ['plant', true, null],
    ]);
    expect(listed.body.results[0].result.metadata.relationships.HasComponent).toEqual([
      'machine:M2:current-shift',
      'machine:M2:today',
      'machine:M2:downtime-today',
    ]);
    const tooLong = await call('POST', '/objects/history', {
      elementIds: ['machine:M1:today'],
      startTime: '2024-01-01T00:00:00Z',
      endTime: '2026-01-06T00:00:00Z',
    });
    expect([tooLong.status, tooLong.body.responseDetail.detail]).toEqual([
      400,
      'The range covers more than 366 days',
    ]);
  });

  it('answers history from the stored rows: daily and per-shift figures equal to GraphQL', async () => {
    const range = { startTime: '2026-01-05T00:00:00Z', endTime: '2026-01-06T23:59:59Z' };
    const answer = await call('POST', '/objects/history', {
      elementIds: ['machine:M2:today', 'machine:M2:current-shift', 'machine:M1'],
      ...range,
    });
    const [daily, shifts, machine] = answer.body.results.map((r: any) => r.result);
    const { body } = await t.gql(
      `{ oee(startDate: "2026-01-05", endDate: "2026-01-06", machine: "M2") { daily { date oee totalParts } } }`,
    );
    expect(
      daily.values.map((v: any) => [v.timestamp, v.value.date, v.value.oee, v.value.totalParts]),
    ).toEqual(
      body.data!.oee.daily.map((d: any) => [
        `${d.date}T06:00:00.000Z`,
        d.date,
        d.oee,
        d.totalParts,
      ]),
    );
    expect(shifts.values.map((v: any) => [v.timestamp, v.value.shift, v.value.totalParts])).toEqual(
      [
        ['2026-01-05T06:00:00.000Z', 'Day', 505],
        ['2026-01-05T14:00:00.000Z', 'Night', 495],
        // A day without a shift breakdown is recorded in the first shift (see legacy-format).
        ['2026-01-06T06:00:00.000Z', 'Day', 0],
      ],
    );
    expect(machine).toEqual({ isComposition: true, values: [] });
    const deep = await call('POST', '/objects/history', {
      elementIds: ['machine:M2'],
      maxDepth: 2,
      ...range,
    });
    expect(deep.body.results[0].result.components['machine:M2:today'].values).toHaveLength(2);
    for (const bad of [{ endTime: range.endTime }, { ...range, startTime: 'not-a-date' }]) {
      const refused = await call('POST', '/objects/history', { elementIds: ['plant'], ...bad });
      expect([refused.status, refused.body.success]).toEqual([400, false]);
    }
  });

  it('queues registered objects and their live changes for sync, per client, and streams them', async () => {
    const clientId = 'i3x-test-client';
    const created = await call('POST', '/subscriptions', { clientId, displayName: 'line view' });
    const { subscriptionId } = created.body.result;
    expect(created.body.result).toEqual({ clientId, subscriptionId, displayName: 'line view' });
    const registered = await call('POST', '/subscriptions/register', {
      clientId,
      subscriptionId,
      elementIds: ['machine:M1:current-shift', 'ghost'],
    });
    expect(registered.body.results.map((r: any) => r.success)).toEqual([true, false]);
    const first = await call('POST', '/subscriptions/sync', { clientId, subscriptionId });
    expect(first.body.result).toEqual([
      {
        sequenceNumber: 1,
        updates: [expect.objectContaining({ elementId: 'machine:M1:current-shift' })],
      },
    ]);
    // Another client sees nothing of it.
    const stranger = await call('POST', '/subscriptions/sync', {
      clientId: 'other',
      subscriptionId,
    });
    expect(stranger.status).toBe(404);
    // A live signal of M1 queues its figures again.
    const { body } = await t.gql(
      `mutation($input: IngestInput!) { ingest(input: $input) { accepted } }`,
      { input: { counts: [{ machine: 'M1', eventId: 'i3x-1', at: Date.now(), parts: 7 }] } },
      { authorization: `Bearer ${INGEST_KEY}` },
    );
    expect(body.data?.ingest.accepted).toBe(1);
    let batches: any[] = [];
    for (let i = 0; i < 50 && batches.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      batches = (
        await call('POST', '/subscriptions/sync', {
          clientId,
          subscriptionId,
          lastSequenceNumber: 1,
        })
      ).body.result;
    }
    expect(batches[0].sequenceNumber).toBe(2);
    expect(batches[0].updates[0]).toMatchObject({
      elementId: 'machine:M1:current-shift',
      quality: 'Good',
      value: expect.objectContaining({ totalParts: expect.any(Number) }),
    });
    // The same changes on a stream, as server-sent events.
    const controller = new AbortController();
    const stream = await fetch(`${base}/subscriptions/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ clientId, subscriptionId }),
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    const first2 = new TextDecoder().decode((await reader.read()).value);
    expect(first2).toMatch(/^data: \[\{"elementId":"machine:M1:current-shift"/);
    controller.abort();
    // Listed with what it monitors; unregistering answers per element.
    const list = async () =>
      (await call('POST', '/subscriptions/list', { clientId, subscriptionIds: [subscriptionId] }))
        .body.results[0].result.monitoredObjects;
    expect(await list()).toEqual([{ elementId: 'machine:M1:current-shift', maxDepth: 1 }]);
    const unregistered = await call('POST', '/subscriptions/unregister', {
      clientId,
      subscriptionId,
      elementIds: ['machine:M1:current-shift', 'ghost'],
    });
    expect(unregistered.body.results.map((r: any) => r.success)).toEqual([true, false]);
    expect(await list()).toEqual([]);
    const deleted = await call('POST', '/subscriptions/delete', {
      clientId,
      subscriptionIds: [subscriptionId],
    });
    expect(deleted.body).toEqual({
      success: true,
      results: [{ success: true, subscriptionId, result: null }],
    });
    expect((await call('POST', '/subscriptions/sync', { clientId, subscriptionId })).status).toBe(
      404,
    );
    expect((await call('POST', '/subscriptions', {})).status).toBe(400);
  });
});

/** Writes: the plant's targets, with the admin key; a server and database of their own. */
describe('i3X writes', () => {
  const ADMIN = 'i3x-admin-key-0123456789';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      { I3X_API_KEYS: KEY, ADMIN_API_KEY: ADMIN, RATE_LIMIT_DEFAULT: '100000/minute' },
      { importFile: join(FIXTURES, 'small-plant.json') },
    );
  });
  afterAll(() => t?.close());

  async function call(method: string, path: string, body: unknown, key: string) {
    const response = await fetch(`${t.url}/i3x/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }
  const plantValue = async () =>
    (await call('POST', '/objects/value', { elementIds: ['plant'] }, KEY)).body.results[0].result;

  it("declares and takes writes of the plant's targets with the admin key only", async () => {
    const info = async (key: string) =>
      (
        await (
          await fetch(`${t.url}/i3x/v1/info`, { headers: { authorization: `Bearer ${key}` } })
        ).json()
      ).result.capabilities.update;
    expect(await info(KEY)).toEqual({ current: false, history: false });
    expect(await info(ADMIN)).toEqual({ current: true, history: true });
    const write = {
      updates: [{ elementId: 'plant', value: { value: { targets: { oee: 0.7 } } } }],
    };
    const refused = await call('PUT', '/objects/value', write, KEY);
    expect([refused.status, refused.body.responseDetail.detail]).toEqual([
      403,
      'Writes need the admin key (ADMIN_API_KEY) as the bearer token',
    ]);

    // The whole value read, written back with a new OEE target.
    const before = await plantValue();
    expect(before.value.targets).toEqual({
      oee: 0.85,
      availability: 0.9,
      performance: 0.95,
      quality: 0.99,
      scrapRate: 2,
    });
    const value = { ...before.value, targets: { ...before.value.targets, oee: 0.7 } };
    const written = await call(
      'PUT',
      '/objects/value',
      { updates: [{ elementId: 'plant', value: { value, quality: 'Good' } }] },
      ADMIN,
    );
    expect(written.body).toEqual({
      success: true,
      results: [{ success: true, elementId: 'plant', result: null }],
    });
    expect((await plantValue()).value.targets.oee).toBe(0.7);
    // GraphQL answers with the same targets: one place for them.
    const { body } = await t.gql('{ targets { plant { oee } } }');
    expect(body.data?.targets.plant.oee).toBe(0.7);

    // Per item, in request order: read-only fields and objects, unknown ones, bad targets.
    const mixed = await call(
      'PUT',
      '/objects/value',
      {
        updates: [
          { elementId: 'plant', value: { value: { name: 'Elsewhere', targets: {} } } },
          { elementId: 'machine:M1', value: { value: { targets: { oee: 0.5 } } } },
          { elementId: 'ghost', value: { value: 1 } },
          { elementId: 'plant', value: { value: { targets: { oee: 85 } } } },
          { elementId: 'plant', value: { value: { targets: { speed: 1 } } }, quality: 'Good' },
          { elementId: 'plant', value: { value: { targets: {} }, quality: 'Bad' } },
        ],
      },
      ADMIN,
    );
    expect(mixed.body.success).toBe(false);
    expect(
      mixed.body.results.map((r: any) => [
        r.elementId,
        r.responseDetail.status,
        r.responseDetail.detail,
      ]),
    ).toEqual([
      ['plant', 400, `name is read-only (it is ${JSON.stringify(before.value.name)})`],
      [
        'machine:M1',
        400,
        "machine:M1 is read-only: over i3X only the plant's targets can be written",
      ],
      ['ghost', 404, 'Element not found: ghost'],
      ['plant', 400, 'oee must be from 0 to 1 (a ratio) or null, got 85'],
      [
        'plant',
        400,
        'Unknown target: speed (one of oee, availability, performance, quality, scrapRate)',
      ],
      ['plant', 400, 'Only values of quality Good can be written'],
    ]);
    expect((await plantValue()).value.targets.oee).toBe(0.7);
  });

  it("keeps each change of the plant's targets as its history; a history write back-dates one", async () => {
    const now = Date.now();
    const earlier = new Date(now - 3 * 86_400_000).toISOString();
    const history = async () =>
      (
        await call(
          'POST',
          '/objects/history',
          {
            elementIds: ['plant'],
            startTime: new Date(now - 5 * 86_400_000).toISOString(),
            endTime: new Date(Date.now() + 1000).toISOString(),
          },
          KEY,
        )
      ).body.results[0].result.values;
    const before = await history();
    const written = await call(
      'PUT',
      '/objects/history',
      {
        updates: [
          {
            elementId: 'plant',
            value: { value: { targets: { quality: 0.95 } }, quality: 'Good', timestamp: earlier },
          },
        ],
      },
      ADMIN,
    );
    expect(written.body.results).toEqual([{ success: true, elementId: 'plant', result: null }]);
    const after = await history();
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toEqual({
      value: expect.objectContaining({
        machines: null,
        targets: expect.objectContaining({ quality: 0.95, oee: 0.85 }),
      }),
      quality: 'Good',
      timestamp: earlier,
    });
    // Back-dated: the targets in force now are not changed by it.
    expect((await plantValue()).value.targets.quality).toBe(0.99);
    const future = await call(
      'PUT',
      '/objects/history',
      {
        updates: [
          {
            elementId: 'plant',
            value: { value: { targets: { oee: 0.5 } }, timestamp: '2999-01-01T00:00:00Z' },
          },
        ],
      },
      ADMIN,
    );
    expect(future.body.results[0].responseDetail.detail).toBe(
      "The plant's targets can be set from now or an instant before, not later",
    );
  });

  it('delivers a written change to a subscriber, even one that acknowledges everything with -1', async () => {
    const clientId = 'writer-watch';
    const ids = {
      clientId,
      subscriptionId: (await call('POST', '/subscriptions', { clientId }, KEY)).body.result
        .subscriptionId,
    };
    await call(
      'POST',
      '/subscriptions/register',
      { ...ids, elementIds: ['plant', 'machine:M1:today'] },
      KEY,
    );
    // The machine with its components too: each object once in a batch all the same.
    await call(
      'POST',
      '/subscriptions/register',
      { ...ids, elementIds: ['machine:M1'], maxDepth: 0 },
      KEY,
    );
    const first = (await call('POST', '/subscriptions/sync', ids, KEY)).body.result;
    for (const batch of first) {
      const elements = batch.updates.map((u: any) => u.elementId);
      expect(new Set(elements).size).toBe(elements.length);
    }
    const targets = { targets: { oee: 0.33 } };
    await call(
      'PUT',
      '/objects/value',
      { updates: [{ elementId: 'plant', value: { value: targets } }] },
      ADMIN,
    );
    const next = await call('POST', '/subscriptions/sync', { ...ids, lastSequenceNumber: -1 }, KEY);
    const plant = next.body.result
      .flatMap((b: any) => b.updates)
      .find((u: any) => u.elementId === 'plant');
    expect(plant.value.targets.oee).toBe(0.33);
    for (const bad of [-2, 1.5, '1', true]) {
      const refused = await call(
        'POST',
        '/subscriptions/sync',
        { ...ids, lastSequenceNumber: bad },
        KEY,
      );
      expect(refused.status).toBe(400);
    }
  });

  it('answers odd write values per item, never with a server error', async () => {
    const history = (timestamp: string) => ({
      elementId: 'plant',
      value: { value: { targets: { oee: 0.5 } }, timestamp },
    });
    const updates = [
      {
        elementId: 'plant',
        value: { value: { name: 'DEEP', targets: {} }, timestamp: '2026-01-05T00:00:00Z' },
      },
      history('2026-02-31T00:00:00Z'),
      history('0001-01-01T00:00:00Z'),
      history('2026-01-05T00:00:00+25:00'),
    ];
    // A name nested 10,000 arrays deep (too deep for JSON.stringify to write).
    const body = JSON.stringify({ updates }).replace(
      '"DEEP"',
      `${'['.repeat(10_000)}1${']'.repeat(10_000)}`,
    );
    const response = await fetch(`${t.url}/i3x/v1/objects/history`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body,
    });
    const answer = await response.json();
    expect(response.status).toBe(200);
    expect(answer.results.map((r: any) => r.responseDetail?.status)).toEqual([400, 400, 400, 400]);
    expect(answer.results[0].responseDetail.detail).toMatch(/^name is read-only/);
  });
});

describe('i3X without keys', () => {
  it('is closed (403), /info excepted', async () => {
    const t = await startTestApp({});
    try {
      const info = await fetch(`${t.url}/i3x/v1/info`);
      expect(info.status).toBe(200);
      const closed = await fetch(`${t.url}/i3x/v1/objects`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(closed.status).toBe(403);
      expect((await closed.json()).responseDetail.detail).toMatch(/set I3X_API_KEYS/);
    } finally {
      await t.close();
    }
  });
});
