import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
// Accept a caller's id only when it is short and plain, so it cannot forge log lines.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of the request being handled, if any: every log line of a request carries it. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Express middleware: reuses a valid incoming X-Request-Id or makes one, and echoes it back. */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header('x-request-id');
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  storage.run({ requestId }, () => next());
}
