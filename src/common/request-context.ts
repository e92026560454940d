import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

interface RequestContext {
  requestId: string;
  /** State that lives as long as this request (a database snapshot, a data version), by key. */
  resources: Map<symbol, unknown>;
  /** Run once when the response is finished or the client goes away. */
  cleanups: (() => void)[];
}

const storage = new AsyncLocalStorage<RequestContext>();
// Accept a caller's id only when it is short and plain, so it cannot forge log lines.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of the request being handled, if any: every log line of a request carries it. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * A value kept for the rest of the current request, created on first use; `release` runs when the
 * response ends. Outside a request (the CLI, timers) there is nothing to keep it in: undefined.
 * Keyed by the request itself, never by anything the client chose (such as X-Request-Id).
 */
export function requestResource<T>(
  key: symbol,
  create: () => { value: T; release?: () => void },
): T | undefined {
  const context = storage.getStore();
  if (!context) return undefined;
  if (!context.resources.has(key)) {
    const { value, release } = create();
    context.resources.set(key, value);
    if (release) context.cleanups.push(release);
  }
  return context.resources.get(key) as T;
}

/**
 * Runs `work` with request resources of its own (a read snapshot, a data version), released as soon
 * as it settles, for a unit of work inside a long request: a chat turn waits seconds for the model
 * between its reads and must not hold a database connection meanwhile. The request id stays.
 */
export async function withOwnResources<T>(work: () => Promise<T>): Promise<T> {
  const outer = storage.getStore();
  if (!outer) return work();
  const inner: RequestContext = { requestId: outer.requestId, resources: new Map(), cleanups: [] };
  try {
    return await storage.run(inner, work);
  } finally {
    for (const cleanup of inner.cleanups.splice(0)) cleanup();
  }
}

/** Express middleware: reuses a valid incoming X-Request-Id or makes one, and echoes it back. */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header('x-request-id');
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  const context: RequestContext = { requestId, resources: new Map(), cleanups: [] };
  res.once('close', () => {
    for (const cleanup of context.cleanups.splice(0)) cleanup();
  });
  storage.run(context, () => next());
}
