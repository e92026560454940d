/**
 * One GraphQL operation over WebSocket with the graphql-ws protocol (graphql-transport-ws:
 * connection_init, connection_ack, subscribe, next, error, complete, ping/pong), spoken here
 * directly since the page loads no libraries besides Chart.js.
 */
export interface SubscriptionHandlers<T> {
  /** The server accepted the connection and the operation is sent. */
  ready?: () => void;
  next: (data: T) => void;
  /** The server refused the operation (GraphQL errors). */
  error?: (message: string) => void;
  /**
   * The connection closed, whether the operation completed or not; `reason` is the server's when
   * it refused the connection (too many connections, a wrong key).
   */
  closed?: (completed: boolean, reason: string) => void;
}

export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  handlers: SubscriptionHandlers<T>,
): { close: () => void } {
  const url = new URL('graphql', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url, 'graphql-transport-ws');
  let completed = false;
  socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
  socket.addEventListener('message', (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as {
      type: string;
      payload?: { data?: T; message?: string } | { message: string }[];
    };
    if (message.type === 'connection_ack') {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
      handlers.ready?.();
    } else if (message.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong' }));
    } else if (
      message.type === 'next' &&
      !Array.isArray(message.payload) &&
      message.payload?.data
    ) {
      handlers.next(message.payload.data);
    } else if (message.type === 'error') {
      const errors = Array.isArray(message.payload) ? message.payload : [];
      handlers.error?.(
        errors.map((e) => e.message).join('; ') || 'The server refused the request.',
      );
    } else if (message.type === 'complete') {
      completed = true;
      socket.close();
    }
  });
  socket.addEventListener('close', (event: CloseEvent) =>
    handlers.closed?.(completed, event.reason),
  );
  return { close: () => socket.close() };
}
