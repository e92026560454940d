import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * Subscribes over the graphql-ws protocol (the real client library and a real WebSocket) to a
 * server's /graphql; `next()` resolves with the next event's data, or rejects after `ms`.
 */
export async function subscribe<T>(
  httpUrl: string,
  query: string,
): Promise<{ next: (ms?: number) => Promise<T>; close: () => Promise<void> }> {
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
  });
  const events: T[] = [];
  const waiting: ((value: T) => void)[] = [];
  let failure: unknown = null;
  const acknowledged = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  const dispose = client.subscribe<T>(
    { query },
    {
      next: (result) => {
        if (result.errors) failure = result.errors;
        const data = result.data as T;
        const waiter = waiting.shift();
        if (waiter) waiter(data);
        else events.push(data);
      },
      error: (error) => (failure = error),
      complete: () => undefined,
    },
  );
  await acknowledged;
  // The server starts the subscription once it has read the message: give it a moment.
  await new Promise((r) => setTimeout(r, 200));
  return {
    next: (ms = 10_000) =>
      new Promise<T>((resolve, reject) => {
        if (failure) return reject(new Error(JSON.stringify(failure)));
        const ready = events.shift();
        if (ready !== undefined) return resolve(ready);
        const timer = setTimeout(
          () => reject(new Error(`no subscription event within ${ms} ms`)),
          ms,
        );
        waiting.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      }),
    close: async () => {
      dispose();
      await client.dispose();
    },
  };
}
