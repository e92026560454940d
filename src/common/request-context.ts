import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

interface RequestContext {
  /** Absent for work that no request started (a warm-up at start-up). */
  requestId?: string;
  /** State that lives as long as this request (a database snapshot, a data version), by key. */
  resources: Map<symbol, unknown>;
  /** Run once when the response is finished or the client goes away. */
  cleanups: (() => void)[];
  /** Ended: nothing more may be kept for it (its cleanups have run). */
  closed: boolean;
  /** Work shared by many requests (a rollup build), which must not compete with them for connections. */
  background: boolean;
}

function newContext(requestId?: string, background = false): RequestContext {
  return { requestId, resources: new Map(), cleanups: [], closed: false, background };
}

/** Whether the current work is shared background work (see withOwnResources). */
export function isBackgroundWork(): boolean {
  return storage.getStore()?.background ?? false;
}

function close(context: RequestContext): void {
  context.closed = true;
  for (const cleanup of context.cleanups.splice(0)) cleanup();
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
 * response ends. Outside a request (the CLI, timers), or once it has ended (the client went away
 * before its first read), there is nothing to keep it in: undefined. Keyed by the request itself,
 * never by anything the client chose (such as X-Request-Id).
 */
export function requestResource<T>(
  key: symbol,
  create: () => { value: T; release?: () => void },
): T | undefined {
  const context = storage.getStore();
  if (!context || context.closed) return undefined;
  if (!context.resources.has(key)) {
    const { value, release } = create();
    context.resources.set(key, value);
    if (release) context.cleanups.push(release);
  }
  return context.resources.get(key) as T;
}

/**
 * Runs `work` with resources of its own (a read snapshot, a data version), released as soon as it
 * settles: a unit of work that must not hold a connection for a whole long request (a chat turn
 * waits seconds for the model between its reads), or, with `background`, work that many requests
 * wait for and that must be one state of the data however it was started (a rollup build, shared
 * stats): its reads use connections of their own, so waiting requests never starve it. A request's
 * id stays.
 */
export async function withOwnResources<T>(
  work: () => Promise<T>,
  options: { background?: boolean } = {},
): Promise<T> {
  const inner = newContext(storage.getStore()?.requestId, options.background ?? false);
  try {
    return await storage.run(inner, work);
  } finally {
    close(inner);
  }
}

/** Express middleware: reuses a valid incoming X-Request-Id or makes one, and echoes it back. */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header('x-request-id');
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  const context = newContext(requestId);
  res.once('close', () => close(context));
  storage.run(context, () => next());
}
