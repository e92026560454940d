/**
 * The plant's shift calendar: which date and shift a moment belongs to, and when each shift of a
 * date starts and ends, in the plant's time zone. Shifts are configured as local wall-clock hours
 * (`SHIFTS="Early 06:00-14:00,Late 14:00-22:00,Night 22:00-06:00"`); a shift that crosses midnight
 * belongs to the date it starts. Instants are epoch milliseconds, so a shift's length is its real
 * elapsed time: a night shift across a daylight-saving change lasts 7 or 9 hours.
 */
import { addDays } from './dates';

export interface ShiftDefinition {
  name: string;
  /** Local start and end hours (0-23 and 1-24); end <= start means the shift ends the next day. */
  startHour: number;
  endHour: number;
}

/** One shift on one date: [start, end) in epoch milliseconds. */
export interface ShiftWindow {
  date: string;
  shift: string;
  start: number;
  end: number;
}

const SHIFT_ENTRY = /^\s*([^,]*?)\s+(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$/;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/**
 * Parses a SHIFTS value. Returns the shifts, or the problems found (each naming the entry), so that
 * start-up can refuse a bad calendar with one clear line.
 */
export function parseShifts(value: string): { shifts: ShiftDefinition[]; problems: string[] } {
  const shifts: ShiftDefinition[] = [];
  const problems: string[] = [];
  for (const entry of value.split(',')) {
    const match = SHIFT_ENTRY.exec(entry);
    if (!match) {
      problems.push(`"${entry.trim()}" is not "<name> HH:MM-HH:MM"`);
      continue;
    }
    const [, name, startH, startM, endH, endM] = match;
    const startHour = Number(startH);
    const endHour = Number(endH);
    if (startM !== '00' || endM !== '00') {
      problems.push(`"${entry.trim()}": shifts start and end on the hour (HH:00)`);
    } else if (startHour > 23 || endHour > 24 || endHour === 0) {
      problems.push(`"${entry.trim()}": a start is 00:00-23:00 and an end 01:00-24:00`);
    } else if (name.length > 50) {
      problems.push(`"${entry.trim()}": a shift name has at most 50 characters`);
    } else if (shifts.some((s) => s.name === name)) {
      problems.push(`"${name}" is named twice`);
    } else {
      shifts.push({ name, startHour, endHour });
    }
  }
  if (problems.length === 0) problems.push(...overlaps(shifts));
  return { shifts, problems };
}

/** Hours of the day (0-23, local) covered by more than one shift. */
function overlaps(shifts: ShiftDefinition[]): string[] {
  const owner = new Map<number, string>();
  for (const shift of shifts) {
    for (const hour of hoursOf(shift)) {
      const other = owner.get(hour);
      if (other !== undefined) return [`"${other}" and "${shift.name}" overlap at ${hour}:00`];
      owner.set(hour, shift.name);
    }
  }
  return [];
}

function hoursOf(shift: ShiftDefinition): number[] {
  const length = lengthInHours(shift);
  return Array.from({ length }, (_, i) => (shift.startHour + i) % 24);
}

/** The shift's nominal length in hours (on a day without a daylight-saving change). */
export function lengthInHours(shift: Pick<ShiftDefinition, 'startHour' | 'endHour'>): number {
  return shift.endHour > shift.startHour
    ? shift.endHour - shift.startHour
    : 24 - shift.startHour + shift.endHour;
}

/** Dates whose shift windows are kept (the calendar is asked about the same few dates again and again). */
const WINDOW_DATES_KEPT = 4096;

export class ShiftCalendar {
  private readonly offsets: ZoneOffsets;
  private readonly windowsByDate = new Map<string, ShiftWindow[]>();

  constructor(
    readonly shifts: readonly ShiftDefinition[],
    readonly timeZone: string,
  ) {
    this.offsets = new ZoneOffsets(timeZone);
  }

  /** The shifts of a date, in start order. */
  windowsOn(date: string): ShiftWindow[] {
    let windows = this.windowsByDate.get(date);
    if (!windows) {
      windows = this.shifts
        .map((shift) => ({
          date,
          shift: shift.name,
          start: this.instant(date, shift.startHour),
          end: this.instant(
            shift.endHour > shift.startHour ? date : addDays(date, 1),
            shift.endHour,
          ),
        }))
        .sort((a, b) => a.start - b.start);
      if (this.windowsByDate.size >= WINDOW_DATES_KEPT) this.windowsByDate.clear();
      this.windowsByDate.set(date, windows);
    }
    return windows;
  }

  /** A shift's real length on a date in hours (7 or 9 across a daylight-saving change). */
  hoursOf(date: string, shift: string): number {
    const window = this.windowsOn(date).find((w) => w.shift === shift);
    if (!window) throw new Error(`No shift "${shift}" in the calendar`);
    return (window.end - window.start) / MS_PER_HOUR;
  }

  /** The shift window holding the moment, or null when no shift covers it. */
  windowAt(at: number): ShiftWindow | null {
    return this.windowsBetween(at, at + 1)[0] ?? null;
  }

  /** Every shift window that overlaps [from, to), in time order. */
  windowsBetween(from: number, to: number): ShiftWindow[] {
    const windows: ShiftWindow[] = [];
    // Local dates are within a day of UTC ones; a shift may start the local day before.
    const last = addDays(utcDate(to), 1);
    for (let day = addDays(utcDate(from), -2); day <= last; day = addDays(day, 1)) {
      for (const window of this.windowsOn(day)) {
        if (window.start < to && window.end > from) windows.push(window);
      }
    }
    return windows;
  }

  /** The most recent shift window that has started by the moment (the running one, if any). */
  latestStartedAt(at: number): ShiftWindow | null {
    const started = this.windowsBetween(at - 2 * MS_PER_DAY, at + 1).filter((w) => w.start <= at);
    return started.at(-1) ?? null;
  }

  /** The local calendar date of a moment. */
  localDate(at: number): string {
    return utcDate(at + this.offsets.at(at));
  }

  /**
   * The instant of a local wall-clock hour on a date. An hour skipped by a daylight-saving change
   * (02:00 on a spring-forward day in Europe) is read as the moment the clocks jump; an hour that
   * happens twice is its first occurrence.
   */
  private instant(date: string, hour: number): number {
    const wall = Date.parse(`${date}T00:00:00Z`) + hour * MS_PER_HOUR;
    const before = wall - this.offsets.at(wall - 12 * MS_PER_HOUR);
    const after = wall - this.offsets.at(wall + 12 * MS_PER_HOUR);
    if (before + this.offsets.at(before) === wall) return before;
    if (after + this.offsets.at(after) === wall) return after;
    return Math.max(before, after);
  }
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The zone's offset from UTC in milliseconds at a moment, from the platform's time-zone data. */
class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  at(ms: number): number {
    const whole = Math.floor(ms / 1000) * 1000;
    const parts = Object.fromEntries(
      this.format.formatToParts(new Date(whole)).map((p) => [p.type, p.value]),
    );
    const local = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    return local - whole;
  }
}
