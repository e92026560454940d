/**
 * The one validator of live signals, whatever carried them (GraphQL, MQTT, a replayed file): a
 * signal is read into a LiveSignal or refused with a reason the sender can act on. Time rules
 * (too old, in the future) are the IngestService's: they depend on the moment of receipt.
 */
import { findSeverity, SEVERITY_CHOICES } from '../common/severity';
import { clip, hasUnprintable } from '../common/text';
import { LiveSignal } from '../data/live/live-data.service';

export type SignalKind = LiveSignal['kind'];
export const SIGNAL_KINDS: readonly SignalKind[] = ['count', 'state', 'quality'];

export const MAX_NAME_LENGTH = 100;
export const MAX_EVENT_ID_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 500;
export const MAX_PARTS = 1_000_000;

/** ISO 8601 with a time and an explicit offset (Z or +hh:mm): a moment, not a local time. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
/** Epoch milliseconds from 2000 to 2100. */
const EPOCH_MS_RANGE = [946_684_800_000, 4_102_444_800_000] as const;

export type ParsedSignal = { ok: true; signal: LiveSignal } | { ok: false; reason: string };

class Refused extends Error {}

/** Reads one signal of a kind: `raw` holds `machine` (unless given), `eventId`, `at` and its fields. */
export function parseSignal(kind: SignalKind, raw: unknown, machine?: string): ParsedSignal {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new Refused('a signal must be a JSON object');
    }
    const read = new Reader(raw as Record<string, unknown>);
    const common = {
      machine: machine ?? read.text('machine', MAX_NAME_LENGTH),
      eventId: read.text('eventId', MAX_EVENT_ID_LENGTH),
      at: read.instant('at'),
    };
    switch (kind) {
      case 'count': {
        const parts = read.count('parts');
        const scrap = read.count('scrap', 0);
        if (scrap > parts) throw new Refused(`scrap (${scrap}) is more than parts (${parts})`);
        return { ok: true, signal: { ...common, kind, fields: { parts, scrap } } };
      }
      case 'state': {
        const state = read.text('state', 10).toUpperCase();
        if (state !== 'RUNNING' && state !== 'STOPPED') {
          throw new Refused(`state must be RUNNING or STOPPED, got "${clip(state)}"`);
        }
        const reason =
          state === 'STOPPED' ? read.text('reason', MAX_NAME_LENGTH).toLowerCase() : null;
        const description = read.optionalText('description', MAX_DESCRIPTION_LENGTH);
        return { ok: true, signal: { ...common, kind, fields: { state, reason, description } } };
      }
      case 'quality': {
        const severityText = read.text('severity', 10);
        const severity = findSeverity(severityText);
        if (!severity) {
          throw new Refused(`severity must be ${SEVERITY_CHOICES}, got "${clip(severityText)}"`);
        }
        const fields = {
          type: read.text('type', MAX_NAME_LENGTH),
          severity,
          partsAffected: read.count('partsAffected'),
          description: read.optionalText('description', MAX_DESCRIPTION_LENGTH) ?? '',
        };
        return { ok: true, signal: { ...common, kind, fields } };
      }
    }
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Reads a signal's fields, refusing the first bad one by name. */
class Reader {
  constructor(private readonly raw: Record<string, unknown>) {}

  text(name: string, max: number): string {
    const value = this.raw[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Refused(`${name} is required (text)`);
    }
    const text = value.trim();
    if (text.length > max) throw new Refused(`${name} is longer than ${max} characters`);
    if (hasUnprintable(text)) throw new Refused(`${name} contains control characters`);
    return text;
  }

  optionalText(name: string, max: number): string | null {
    const value = this.raw[name];
    return value === undefined || value === null || value === '' ? null : this.text(name, max);
  }

  count(name: string, fallback?: number): number {
    const value = this.raw[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PARTS) {
      throw new Refused(`${name} must be a whole number from 0 to ${MAX_PARTS}`);
    }
    return value;
  }

  /** ISO 8601 with an offset, or epoch milliseconds (a number or a string of digits). */
  instant(name: string): number {
    const value = this.raw[name];
    const epoch =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\d+$/.test(value)
          ? Number(value)
          : null;
    if (epoch !== null) {
      if (!Number.isInteger(epoch) || epoch < EPOCH_MS_RANGE[0] || epoch > EPOCH_MS_RANGE[1]) {
        throw new Refused(
          `${name} as epoch milliseconds must be a whole number between years 2000 and 2100`,
        );
      }
      return epoch;
    }
    if (typeof value === 'string' && ISO_INSTANT.test(value.trim())) {
      const parsed = Date.parse(value.trim());
      if (Number.isFinite(parsed) && parsed >= EPOCH_MS_RANGE[0] && parsed <= EPOCH_MS_RANGE[1]) {
        return parsed;
      }
    }
    throw new Refused(
      `${name} must be ISO 8601 with an offset (2026-03-29T06:15:00+02:00 or ...Z) or epoch milliseconds, got ${clip(JSON.stringify(value) ?? 'nothing')}`,
    );
  }
}
