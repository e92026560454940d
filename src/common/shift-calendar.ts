/**
 * The plant's shift calendar: which date and shift a moment belongs to, and when each shift of a
 * date starts and ends, in the plant's time zone. Shifts are configured as local wall-clock times
 * (`SHIFTS="Early 06:00-14:00,Late 14:00-22:00,Night 22:00-06:00"`); a shift that crosses midnight
 * belongs to the date it starts. Instants are epoch milliseconds, so a shift's length is its real
 * elapsed time: a night shift across a daylight-saving change lasts 7 or 9 hours.
 */
import { addDays } from './dates';

export interface ShiftDefinition {
  name: string;
  /**
   * Local start and end: hours (0-23 and 0-24) and minutes past them (0-59, 0 when absent); an
   * end at or before the start means the shift ends the next day.
   */
  startHour: number;
  endHour: number;
  startMinute?: number;
  endMinute?: number;
}

/** One shift on one date: [start, end) in epoch milliseconds. */
export interface ShiftWindow {
  date: string;
  shift: string;
  start: number;
  end: number;
}

const SHIFT_ENTRY = /^\s*([^,]*?)\s+(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$/;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const MINUTES_PER_DAY = 24 * 60;

/** A shift's local start and end as minutes of the day (the end 1-1440). */
function minutesOf(shift: ShiftDefinition): { start: number; end: number } {
  return {
    start: shift.startHour * 60 + (shift.startMinute ?? 0),
    end: shift.endHour * 60 + (shift.endMinute ?? 0) || MINUTES_PER_DAY,
  };
}

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
    const [startHour, startMinute, endHour, endMinute] = match.slice(2).map(Number);
    const name = match[1];
    if (startHour > 23 || startMinute > 59 || endMinute > 59 || endHour * 60 + endMinute > 1440) {
      problems.push(`"${entry.trim()}": a start is 00:00-23:59 and an end 00:00-24:00`);
    } else if (startHour * 60 + startMinute === endHour * 60 + endMinute) {
      problems.push(`"${entry.trim()}": a shift cannot end when it starts`);
    } else if (name.length > 50) {
      problems.push(`"${entry.trim()}": a shift name has at most 50 characters`);
    } else if (shifts.some((s) => s.name === name)) {
      problems.push(`"${name}" is named twice`);
    } else {
      shifts.push({ name, startHour, startMinute, endHour, endMinute });
    }
  }
  if (problems.length === 0) problems.push(...overlaps(shifts));
  return { shifts, problems };
}

/** The first local minute of the day covered by two shifts, named. */
function overlaps(shifts: ShiftDefinition[]): string[] {
  const owner = new Array<string | undefined>(MINUTES_PER_DAY);
  for (const shift of shifts) {
    const { start } = minutesOf(shift);
    for (let i = 0; i < lengthInHours(shift) * 60; i++) {
      const minute = (start + i) % MINUTES_PER_DAY;
      const other = owner[minute];
      if (other !== undefined) {
        return [`"${other}" and "${shift.name}" overlap at ${clockTime(minute)}`];
      }
      owner[minute] = shift.name;
    }
  }
  return [];
}

/** "HH:MM" of a minute of the day (1440: "24:00"). */
export function clockTime(minuteOfDay: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}

/** A shift's local start and end as "HH:MM". */
export function shiftTimes(shift: ShiftDefinition): { startTime: string; endTime: string } {
  const { start, end } = minutesOf(shift);
  return { startTime: clockTime(start), endTime: clockTime(end) };
}

/** The shift's nominal length in hours (on a day without a daylight-saving change). */
export function lengthInHours(shift: ShiftDefinition): number {
  const { start, end } = minutesOf(shift);
  return (end > start ? end - start : MINUTES_PER_DAY - start + end) / 60;
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
        .map((shift) => {
          const { start, end } = minutesOf(shift);
          return {
            date,
            shift: shift.name,
            start: this.instant(date, start),
            end: this.instant(end > start ? date : addDays(date, 1), end),
          };
        })
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
   * The instant of a local wall-clock time (minutes of the day) on a date. A time skipped by a
   * daylight-saving change moves on by the hour skipped (in Europe on a spring-forward day, 02:00
   * is 03:00, the moment the clocks jump, and 02:30 is 03:30); a time that happens twice is its
   * first occurrence.
   */
  private instant(date: string, minuteOfDay: number): number {
    const wall = Date.parse(`${date}T00:00:00Z`) + minuteOfDay * MS_PER_MINUTE;
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
