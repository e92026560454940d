/**
 * Calendar dates as "YYYY-MM-DD" strings. Production data is recorded per plant calendar day, so
 * dates carry no time or zone; "today" is computed in the plant's time zone.
 */
import { BadInputError } from './errors';
import { quoted } from './text';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True for a real calendar date in YYYY-MM-DD form (2024-02-30 is not one). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function toUtcMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function fromUtcMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromUtcMs(toUtcMs(date) + days * MS_PER_DAY);
}

/** Number of calendar days from start to end, both included (1 when they are equal). */
export function daysInclusive(start: string, end: string): number {
  return Math.round((toUtcMs(end) - toUtcMs(start)) / MS_PER_DAY) + 1;
}

/** The first day of the date's month. */
export function monthStart(date: string): string {
  return `${date.slice(0, 8)}01`;
}

/** The last day of the date's month. */
export function monthEnd(date: string): string {
  const [year, month] = date.split('-').map(Number);
  return fromUtcMs(Date.UTC(year, month, 0));
}

/** The first day of every month from the one of `start` to the one of `end`, both included. */
export function monthsBetween(start: string, end: string): string[] {
  const months: string[] = [];
  for (let month = monthStart(start); month <= end; month = addDays(monthEnd(month), 1)) {
    months.push(month);
  }
  return months;
}

/**
 * A formatter of calendar dates per IANA time zone, made once: making one costs about as much as a
 * whole GraphQL request, and "today" is asked for on many requests.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date in an IANA time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A date from outside (GraphQL, chat tools): a real YYYY-MM-DD date, or BAD_USER_INPUT. */
export function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new BadInputError(
      `Invalid date ${quoted(value)}: expected a calendar date YYYY-MM-DD such as 2026-01-31`,
    );
  }
  return value;
}
