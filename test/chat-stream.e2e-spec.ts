import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { FakeLlm } from './support/fake-llm-server';
import { FIXTURES } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';

const SMALL_PLANT = join(FIXTURES, 'small-plant.json');
const STREAM = `subscription Ask($input: ChatInput!) {
  chatStream(input: $input) {
    type toolName arguments summary error durationMs text response
    history { role content } toolCalls { name arguments error } model
    usage { promptTokens completionTokens totalTokens }
    code message retryAfterSeconds
  }
}`;
const OEE_ARGS = '{"start_date":"2026-01-05","end_date":"2026-01-06","machine_name":"M1"}';

type Event = Record<string, any>;

/** Opens a graphql-ws connection (the real client library) to a server's /graphql. */
function connect(url: string, authorization?: string) {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: authorization ? { authorization } : {},
  });
}

/** Asks over the subscription and collects its events until it completes. */
async function ask(url: string, message: string, authorization?: string): Promise<Event[]> {
  const client = connect(url, authorization);
  const events: Event[] = [];
  try {
    for await (const result of client.iterate({
      query: STREAM,
      variables: { input: { message } },
    })) {
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      const event = Object.fromEntries(
        Object.entries((result.data as Event).chatStream).filter(([, v]) => v !== null),
      );
      events.push(event);
    }
  } finally {
    await client.dispose();
  }
  return events;
}

/** How the server closed a connection it refused at connection_init: code and reason. */
async function refusal(url: string, authorization?: string): Promise<[number, string]> {
  const client = connect(url, authorization);
  try {
    await client.iterate({ query: STREAM, variables: { input: { message: 'hi' } } }).next();
  } catch (closed) {
    const { code, reason } = closed as { code: number; reason: string };
    return [code, reason];
  } finally {
    await client.dispose();
  }
  throw new Error('the connection was not refused');
}

/** The streamed chat over graphql-ws against a fake OpenAI-compatible server that streams (SSE). */
describe('chatStream subscription', () => {
  const llm = new FakeLlm();
  let t: TestApp;

  beforeAll(async () => {
    await llm.start();
    t = await startTestApp(
      { OPENAI_BASE_URL: `${llm.url}/v1`, RATE_LIMIT_CHAT: '1000/minute' },
      { importFile: SMALL_PLANT },
    );
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
  });

  it('streams the tool calls, their results, the answer as deltas, then the whole answer with usage', async () => {
    const answer = 'OEE on M1 was 81.8% over those two days.';
    llm.reply({ toolCalls: [{ name: 'calculate_oee', arguments: OEE_ARGS }] }, { content: answer });
    const events = await ask(t.url, 'What was OEE on M1?');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('TOOL_CALL');
    expect(types[1]).toBe('TOOL_RESULT');
    expect(types.at(-1)).toBe('DONE');
    expect(types.slice(2, -1).every((type) => type === 'DELTA')).toBe(true);
    // The arguments arrived split across three chunks and were put together.
    expect(events[0]).toEqual({
      type: 'TOOL_CALL',
      toolName: 'calculate_oee',
      arguments: OEE_ARGS,
    });
    expect(events[1]).toMatchObject({ type: 'TOOL_RESULT', toolName: 'calculate_oee' });
    expect(events[1].summary).toMatch(
      /^\{"start_date":"2026-01-05","end_date":"2026-01-06","machine":"M1"/,
    );
    const deltas = events.filter((e) => e.type === 'DELTA').map((e) => e.text);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(answer);
    expect(events.at(-1)).toEqual({
      type: 'DONE',
      response: answer,
      history: [
        { role: 'USER', content: 'What was OEE on M1?' },
        { role: 'ASSISTANT', content: answer },
      ],
      toolCalls: [{ name: 'calculate_oee', arguments: OEE_ARGS, error: null }],
      model: 'gpt-4o-mini',
      usage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
    });
    // Both rounds were streamed, and the tool's result went back to the model.
    expect(llm.completions.map((r) => [r.body.stream, r.body.stream_options])).toEqual([
      [true, { include_usage: true }],
      [true, { include_usage: true }],
    ]);
    const toolMessage = llm.completions[1].body.messages.find((m: Event) => m.role === 'tool');
    expect(JSON.parse(toolMessage.content)).toMatchObject({ machine: 'M1', total_parts: 700 });
  });

  it('ends with LLM_UNAVAILABLE when the stream is cut in the middle', async () => {
    llm.reply({ content: 'This answer will never be finished, sorry.', cutAfter: 4 });
    const events = await ask(t.url, 'hi');
    expect(events.slice(0, -1).every((e) => e.type === 'DELTA')).toBe(true);
    expect(events.at(-1)).toEqual({
      type: 'ERROR',
      code: 'LLM_UNAVAILABLE',
      message: expect.stringMatching(/^The assistant is unavailable: /),
    });
  });

  it('ends with LLM_UNAVAILABLE when the stream ends cleanly before its finish reason', async () => {
    // A proxy that closes the response early: no error on the wire, but the answer is partial,
    // and so would be the arguments of a tool call cut the same way.
    llm.reply({ content: 'This answer stops half way.', endAfter: 4 });
    expect((await ask(t.url, 'hi')).at(-1)).toMatchObject({
      type: 'ERROR',
      code: 'LLM_UNAVAILABLE',
      message:
        'The assistant is unavailable: the answer stopped before it was complete. Try again later.',
    });
    llm.reply({ toolCalls: [{ name: 'calculate_oee', arguments: OEE_ARGS }], endAfter: 3 });
    const events = await ask(t.url, 'What was OEE on M1?');
    expect(events.map((e) => e.type)).toEqual(['ERROR']);
    expect(events[0].code).toBe('LLM_UNAVAILABLE');
  });

  it('aborts the LLM request when the client goes away', async () => {
    llm.reply({ content: 'A slow answer. '.repeat(40), chunkDelayMs: 100 });
    const client = connect(t.url);
    const iterator = client.iterate({ query: STREAM, variables: { input: { message: 'slow' } } });
    const first = await iterator.next();
    expect((first.value?.data as Event).chatStream.type).toBe('DELTA');
    const abandoned = llm.abandonedStreams;
    await iterator.return?.();
    await client.dispose();
    const deadline = Date.now() + 5_000;
    while (llm.abandonedStreams === abandoned && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(llm.abandonedStreams).toBe(abandoned + 1);
  });

  it('refuses a malformed subscription document on its own, keeping the connection', async () => {
    const client = connect(t.url);
    try {
      const broken = client.iterate({ query: 'subscription { chatStream(' });
      await expect(broken.next()).rejects.toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^Syntax Error/) }),
      ]);
      // The same connection still answers.
      llm.reply({ content: 'Still here.' });
      const events: Event[] = [];
      for await (const result of client.iterate({
        query: STREAM,
        variables: { input: { message: 'hi' } },
      })) {
        events.push((result.data as Event).chatStream);
      }
      expect(events.at(-1)).toMatchObject({ type: 'DONE', response: 'Still here.' });
    } finally {
      await client.dispose();
    }
  });

  it('answers a bad question as an ERROR event with the mutation code', async () => {
    const events = await ask(t.url, '   ');
    expect(events).toEqual([
      { type: 'ERROR', code: 'BAD_USER_INPUT', message: 'message must not be blank' },
    ]);
  });
});

describe('chatStream access and providers', () => {
  const llm = new FakeLlm();
  beforeAll(() => llm.start());
  afterAll(() => llm.stop());

  it('ends with LLM_NOT_CONFIGURED without an LLM', async () => {
    const t = await startTestApp({});
    try {
      const events = await ask(t.url, 'hi');
      expect(events).toEqual([
        { type: 'ERROR', code: 'LLM_NOT_CONFIGURED', message: expect.stringMatching(/No LLM/) },
      ]);
    } finally {
      await t.close();
    }
  });

  it('needs a chat key as a connection parameter, and counts questions against RATE_LIMIT_CHAT with the mutation', async () => {
    const key = 'stream-key-0123456789abcdef';
    const t = await startTestApp(
      { OPENAI_BASE_URL: `${llm.url}/v1`, CHAT_API_KEYS: key, RATE_LIMIT_CHAT: '3/minute' },
      { importFile: SMALL_PLANT },
    );
    try {
      llm.reply({ content: 'Fine.' });
      expect(await ask(t.url, 'hi')).toEqual([
        {
          type: 'ERROR',
          code: 'UNAUTHENTICATED',
          message: 'Chat needs Authorization: Bearer <chat API key>.',
        },
      ]);
      expect((await ask(t.url, 'hi', 'Bearer wrong-key-0123456789'))[0].message).toBe(
        'Invalid chat API key.',
      );
      expect((await ask(t.url, 'hi', `Bearer ${key}`)).at(-1)).toMatchObject({
        type: 'DONE',
        response: 'Fine.',
      });
      // The mutation spends the same budget: 3 questions a minute in all (the refused ones count).
      const { body } = await t.gql(
        'mutation { chat(input: { message: "hi" }) { response } }',
        {},
        { authorization: `Bearer ${key}` },
      );
      expect(body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
      const limited = await ask(t.url, 'hi', `Bearer ${key}`);
      expect(limited).toEqual([
        {
          type: 'ERROR',
          code: 'TOO_MANY_REQUESTS',
          message: expect.stringMatching(/^Too many requests: try again in \d+ s\.$/),
          retryAfterSeconds: expect.any(Number),
        },
      ]);
      expect(limited[0].retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('counts each connection against RATE_LIMIT_DEFAULT, closing the one over it with 4429', async () => {
    const t = await startTestApp({ RATE_LIMIT_DEFAULT: '2/minute' });
    try {
      for (let i = 0; i < 2; i++) {
        expect((await ask(t.url, 'hi'))[0].code).toBe('LLM_NOT_CONFIGURED');
      }
      const [code, reason] = await refusal(t.url);
      expect(code).toBe(4429);
      expect(reason).toMatch(/^Too many requests: try again in \d+ s\.$/);
    } finally {
      await t.close();
    }
  });

  it('streams from Azure OpenAI: deployment URL, api-version, api-key', async () => {
    const t = await startTestApp(
      {
        AZURE_OPENAI_ENDPOINT: llm.url,
        AZURE_OPENAI_API_KEY: 'azure-secret',
        AZURE_DEPLOYMENT_NAME: 'plant-gpt',
      },
      { importFile: SMALL_PLANT },
    );
    try {
      llm.reply(
        { toolCalls: [{ name: 'get_data_range', arguments: '{}' }] },
        { content: 'Data from 2026-01-05 to 2026-01-06.' },
      );
      const events = await ask(t.url, 'Which days have data?');
      expect(events.at(-1)).toMatchObject({
        type: 'DONE',
        response: 'Data from 2026-01-05 to 2026-01-06.',
        model: 'plant-gpt',
      });
      expect(events[0]).toEqual({ type: 'TOOL_CALL', toolName: 'get_data_range', arguments: '{}' });
      const [request] = llm.completions;
      expect(request.path).toBe('/openai/deployments/plant-gpt/chat/completions');
      expect(request.query.get('api-version')).toBe('2024-10-21');
      expect(request.headers['api-key']).toBe('azure-secret');
      expect(request.body.stream).toBe(true);
      // A stream cut in the middle, the Azure way round.
      llm.reply({ content: 'Cut short by the network.', cutAfter: 3 });
      expect((await ask(t.url, 'hi')).at(-1)).toMatchObject({
        type: 'ERROR',
        code: 'LLM_UNAVAILABLE',
      });
      expect(llm.completions.at(-1)?.path).toBe('/openai/deployments/plant-gpt/chat/completions');
    } finally {
      await t.close();
    }
  });
});
