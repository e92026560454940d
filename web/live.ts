/**
 * The dashboard's live shift: `currentShift` once, then `currentShiftUpdated` over WebSocket with
 * the graphql-ws protocol (graphql-transport-ws: connection_init, connection_ack, subscribe, next,
 * ping/pong), spoken here directly since the page loads no libraries besides Chart.js.
 */
import {
  CURRENT_SHIFT_QUERY,
  CurrentShiftData,
  graphql,
  LIVE_SUBSCRIPTION,
  LiveMachine,
} from './api.js';

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;

/** Keeps the live table current: rows replaced as updates arrive, reconnecting with back-off. */
export class LiveShift {
  private readonly machines = new Map<string, LiveMachine>();
  private shift: { date: string; shift: string } | null = null;
  private retryMs = FIRST_RETRY_MS;

  constructor(
    private readonly render: (
      shift: CurrentShiftData['currentShift'] | null,
      machines: LiveMachine[],
      connected: boolean,
    ) => void,
  ) {}

  async start(): Promise<void> {
    const { currentShift } = await graphql<CurrentShiftData>(CURRENT_SHIFT_QUERY);
    this.shift = currentShift;
    for (const m of currentShift.machines) this.machines.set(m.machine, m);
    this.render(currentShift, [...this.machines.values()], false);
    this.connect(currentShift);
  }

  private connect(shown: CurrentShiftData['currentShift']): void {
    const url = new URL('graphql', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.addEventListener('message', (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as {
        type: string;
        payload?: { data?: { currentShiftUpdated: LiveMachine & { date: string; shift: string } } };
      };
      if (message.type === 'connection_ack') {
        this.retryMs = FIRST_RETRY_MS;
        socket.send(
          JSON.stringify({ id: 'live', type: 'subscribe', payload: { query: LIVE_SUBSCRIPTION } }),
        );
        this.render(shown, [...this.machines.values()], true);
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'next' && message.payload?.data) {
        const { date, shift, ...machine } = message.payload.data.currentShiftUpdated;
        if (this.shift && (this.shift.date !== date || this.shift.shift !== shift)) {
          // A new shift began: start again from its figures.
          socket.close();
          return;
        }
        this.machines.set(machine.machine, machine);
        this.render(shown, [...this.machines.values()], true);
      }
    });
    socket.addEventListener('close', () => {
      this.render(shown, [...this.machines.values()], false);
      setTimeout(() => {
        this.machines.clear();
        void this.start().catch(() => this.connect(shown));
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    });
  }
}
