import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What the fake server saw of one request. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
  /** The raw body, for multipart uploads. */
  raw: Buffer;
}

/**
 * One scripted reply: a chat message (content and/or tool calls), an HTTP error, or a stall. A
 * streamed request (`stream: true`) gets the message as server-sent events; `chunkDelayMs` paces
 * them; `cutAfter` breaks the connection after that many events, and `endAfter` ends the response
 * cleanly after that many, both before the finish reason and [DONE].
 */
type Streaming = { chunkDelayMs?: number; cutAfter?: number; endAfter?: number };
export type Reply =
  | ({ content: string } & Streaming)
  | ({
      toolCalls: { name: string; arguments: string; id?: string }[];
      content?: string;
    } & Streaming)
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { stallMs: number };

/**
 * A fake OpenAI-compatible server speaking the real wire format: POST /v1/chat/completions (OpenAI
 * and compatible servers) and POST /openai/deployments/{deployment}/chat/completions?api-version=
 * (Azure). Each test scripts its replies in order; when the script runs out it repeats the last one.
 */
export class FakeLlm {
  readonly requests: RecordedRequest[] = [];
  /** Reply of POST .../audio/transcriptions: the text, or an HTTP error status. */
  transcription: { text: string } | { status: number } = { text: '' };
  /** Bytes returned by POST .../audio/speech. */
  speech = Buffer.from('ID3-fake-mp3-bytes');
  private script: Reply[] = [];
  /** Streamed completions whose client closed the connection before the last event. */
  abandonedStreams = 0;
  private server: Server | null = null;
  private callCounter = 0;

  get url(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Requests to the chat completions endpoint. */
  get completions(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Requests to an audio endpoint (`transcriptions` or `speech`). */
  audio(kind: 'transcriptions' | 'speech'): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(`/audio/${kind}`));
  }

  /** Replaces the script and forgets earlier requests. */
  reply(...script: Reply[]): void {
    this.script = script;
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = Buffer.concat(chunks);
    const isJson = (req.headers['content-type'] ?? '').includes('application/json');
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: isJson && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : null,
      raw,
    });
    if (req.method === 'POST' && url.pathname.endsWith('/audio/transcriptions')) {
      return 'status' in this.transcription
        ? this.send(
            res,
            this.transcription.status,
            { error: { message: 'upstream details', type: 'server_error' } },
            { 'retry-after-ms': '10' },
          )
        : this.send(res, 200, { text: this.transcription.text });
    }
    if (req.method === 'POST' && url.pathname.endsWith('/audio/speech')) {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      return void res.end(this.speech);
    }
    if (req.method !== 'POST' || !url.pathname.endsWith('/chat/completions')) {
      return this.send(res, 404, {
        error: { message: 'not found', type: 'invalid_request_error' },
      });
    }
    const index = Math.min(this.completions.length - 1, this.script.length - 1);
    const reply = this.script[index] ?? { content: 'No script.' };
    if ('stallMs' in reply) {
      await new Promise((resolve) => setTimeout(resolve, reply.stallMs));
      return this.send(res, 200, this.completion({ content: 'too late' }));
    }
    if ('status' in reply) {
      return this.send(
        res,
        reply.status,
        reply.body ?? {
          error: { message: 'upstream failure with secret details', type: 'server_error' },
        },
        reply.headers,
      );
    }
    const body = this.requests[this.requests.length - 1].body as { stream?: boolean } | null;
    if (body?.stream) return this.stream(req, res, reply);
    this.send(res, 200, this.completion(reply));
  }

  /**
   * The message as chat.completion.chunk events, as OpenAI streams it: the role first, the content
   * a few characters at a time, each tool call's id and name, then its arguments split across three
   * events, the finish reason, the usage (stream_options.include_usage) and [DONE].
   */
  private async stream(
    req: IncomingMessage,
    res: ServerResponse,
    reply: {
      content?: string;
      toolCalls?: { name: string; arguments: string; id?: string }[];
    } & Streaming,
  ): Promise<void> {
    const id = `chatcmpl-${++this.callCounter}`;
    const chunk = (delta: unknown, finish: string | null = null) => ({
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: 'fake-model',
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    const events: unknown[] = [chunk({ role: 'assistant', content: '' })];
    for (const piece of (reply.content ?? '').match(/.{1,4}/gs) ?? []) {
      events.push(chunk({ content: piece }));
    }
    (reply.toolCalls ?? []).forEach((call, index) => {
      events.push(
        chunk({
          tool_calls: [
            {
              index,
              id: call.id ?? `call_${++this.callCounter}`,
              type: 'function',
              function: { name: call.name, arguments: '' },
            },
          ],
        }),
      );
      const third = Math.ceil(call.arguments.length / 3);
      for (let at = 0; at < call.arguments.length; at += third) {
        events.push(
          chunk({
            tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + third) } }],
          }),
        );
      }
    });
    events.push(chunk({}, reply.toolCalls ? 'tool_calls' : 'stop'));
    events.push({
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: 'fake-model',
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
    let finished = false;
    req.socket.once('close', () => {
      if (!finished) this.abandonedStreams++;
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const [i, event] of events.entries()) {
      if (reply.cutAfter !== undefined && i >= reply.cutAfter) {
        finished = true;
        res.socket?.destroy();
        return;
      }
      if (reply.endAfter !== undefined && i >= reply.endAfter) {
        finished = true;
        res.end();
        return;
      }
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify(event)}\n\n`);
      if (reply.chunkDelayMs) await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
    }
    finished = true;
    res.end('data: [DONE]\n\n');
  }

  private completion(reply: {
    content?: string;
    toolCalls?: { name: string; arguments: string; id?: string }[];
  }) {
    const toolCalls = reply.toolCalls?.map((call) => ({
      id: call.id ?? `call_${++this.callCounter}`,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
    return {
      id: `chatcmpl-${++this.callCounter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'fake-model',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.content ?? null,
            ...(toolCalls ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: toolCalls ? 'tool_calls' : 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    };
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}
