/**
 * How a machine's state changes become the time of one machine-shift: planned time is the part of
 * the shift window from the machine's first state signal (before it, its state is unknown) up to
 * `asOf`; a stop lasts until the machine's next state change and counts as downtime within the
 * window (an open stop counts up to `asOf`); run time is the rest.
 */
export type MachineState = 'RUNNING' | 'STOPPED';

export interface StateChange {
  at: number;
  state: MachineState;
  /** Lower-case reason of a stop (null when running). */
  reason: string | null;
  description: string | null;
}

/** A stop's part inside one shift window: one downtime event. */
export interface DerivedStop {
  reason: string;
  description: string;
  hours: number;
  /** When this part began (ms): the stop's start, or the window's when it began before. */
  startedAt: number;
}

export interface DerivedShiftTime {
  plannedHours: number;
  runHours: number;
  downtimeHours: number;
  stops: DerivedStop[];
}

const MS_PER_HOUR = 3_600_000;

/**
 * The time of a machine in [window.start, window.end) as known at `asOf`. `states` are the
 * machine's state changes in time order, beginning with the last one at or before the window's
 * start (when there is one); `knownFrom` is its first state signal ever (null: none yet).
 */
export function deriveShiftTime(
  window: { start: number; end: number },
  states: readonly StateChange[],
  knownFrom: number | null,
  asOf: number,
): DerivedShiftTime {
  const from = Math.max(window.start, knownFrom ?? Infinity);
  const to = Math.min(window.end, asOf);
  if (!(from < to)) return { plannedHours: 0, runHours: 0, downtimeHours: 0, stops: [] };
  const stops: DerivedStop[] = [];
  let stoppedMs = 0;
  for (let i = 0; i < states.length; i++) {
    const state = states[i];
    if (state.state !== 'STOPPED') continue;
    const start = Math.max(state.at, from);
    const end = Math.min(states[i + 1]?.at ?? Infinity, to);
    if (!(start < end)) continue;
    stoppedMs += end - start;
    const reason = state.reason ?? 'unknown';
    const description = state.description ?? '';
    const previous = stops.at(-1);
    // A stop reported again (same reason and description) goes on; it is not a new event.
    if (previous && states[i - 1]?.state === 'STOPPED' && sameStop(states[i - 1], state)) {
      previous.hours += (end - start) / MS_PER_HOUR;
    } else {
      stops.push({ reason, description, hours: (end - start) / MS_PER_HOUR, startedAt: start });
    }
  }
  const plannedHours = (to - from) / MS_PER_HOUR;
  const downtimeHours = stoppedMs / MS_PER_HOUR;
  return { plannedHours, downtimeHours, runHours: plannedHours - downtimeHours, stops };
}

function sameStop(a: StateChange, b: StateChange): boolean {
  return a.reason === b.reason && (a.description ?? '') === (b.description ?? '');
}
