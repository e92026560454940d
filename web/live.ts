/**
 * The dashboard's live shift: `currentShift` once, then `currentShiftUpdated` over WebSocket
 * (web/ws.ts).
 */
import {
  CURRENT_SHIFT_QUERY,
  CurrentShiftData,
  graphql,
  LIVE_SUBSCRIPTION,
  LiveMachine,
} from './api.js';
import { subscribe } from './ws.js';

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
    const live = subscribe<{ currentShiftUpdated: LiveMachine & { date: string; shift: string } }>(
      LIVE_SUBSCRIPTION,
      {},
      {
        ready: () => {
          this.retryMs = FIRST_RETRY_MS;
          this.render(shown, [...this.machines.values()], true);
        },
        next: ({ currentShiftUpdated }) => {
          const { date, shift, ...machine } = currentShiftUpdated;
          if (this.shift && (this.shift.date !== date || this.shift.shift !== shift)) {
            // A new shift began: start again from its figures.
            live.close();
            return;
          }
          this.machines.set(machine.machine, machine);
          this.render(shown, [...this.machines.values()], true);
        },
        closed: () => {
          this.render(shown, [...this.machines.values()], false);
          setTimeout(() => {
            this.machines.clear();
            void this.start().catch(() => this.connect(shown));
          }, this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
        },
      },
    );
  }
}
