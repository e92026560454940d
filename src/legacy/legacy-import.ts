import { isIsoDate } from '../common/dates';
import { BadInputError, ImportValidationError } from '../common/errors';
import { roundHours, splitProportionally, sum } from '../common/numbers';
import { hasUnprintable, quoted } from '../common/text';
import { findSeverity, SEVERITY_CHOICES } from '../common/severity';
import {
  Dataset,
  DatasetRecords,
  DowntimeEventRecord,
  MachineSpec,
  ProductionRecord,
  QualityIssueRecord,
  ShiftSpec,
} from '../data/dataset';
import { DEMO_SHIFTS } from '../data/generator/demo-factory';
import { jsonEntries, JsonSyntaxError } from './json-entries';

/** The original files carry no shift list in some versions; those used the demo plant's shifts. */
const DEFAULT_SHIFTS = DEMO_SHIFTS;
const MAX_LISTED_PROBLEMS = 30;
const DATE_WITH_OPTIONAL_TIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?)?$/;
const MAX_TEXT = 500;
/**
 * Most parts one machine can make in a day: about 115 a second around the clock, beyond any line.
 * It keeps every sum over machines and ranges exact (below 2^53).
 */
export const MAX_PARTS_PER_DAY = 10_000_000;
const BYTE_ORDER_MARK = '\uFEFF';

export interface ParsedLegacyFile {
  dataset: Dataset;
  generatedAt: string | null;
}

type Json = Record<string, unknown>;

/** Collects problems with the place they were found; only the first few are listed. */
class Problems {
  readonly listed: string[] = [];
  count = 0;

  add(path: string, message: string): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(`${path}: ${message}`);
  }
}

const key = (name: string) => `[${JSON.stringify(name)}]`;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "2025-10-13" or "2025-10-13T00:00:00" -> "2025-10-13"; null when malformed or impossible. */
export function legacyDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = DATE_WITH_OPTIONAL_TIME.exec(value);
  return match && isIsoDate(match[1]) ? match[1] : null;
}

/**
 * Field readers: each returns a value, or records a problem and returns NaN, which keeps follow-on
 * checks quiet (a file with problems is never written).
 */
class Reader {
  constructor(readonly problems: Problems) {}

  number(obj: Json, field: string, path: string, opts: { integer?: boolean; max?: number } = {}) {
    const value = obj[field];
    const place = `${path}.${field}`;
    if (typeof value !== 'number') {
      this.problems.add(place, `expected a number, got ${describe(value)}`);
      return NaN;
    }
    if (!Number.isFinite(value)) {
      this.problems.add(place, 'is too large to be a number (written as 1e309 or similar)');
      return NaN;
    }
    if (value < 0) {
      this.problems.add(place, `${value} is negative`);
      return NaN;
    }
    if (opts.integer && !Number.isInteger(value)) {
      this.problems.add(place, `${value} is not a whole number`);
      return NaN;
    }
    if (opts.integer && !Number.isSafeInteger(value)) {
      this.problems.add(place, `${value} is beyond 2^53 and cannot be counted exactly`);
      return NaN;
    }
    if (opts.max !== undefined && value > opts.max) {
      this.problems.add(place, `${value} is more than ${opts.max}`);
      return NaN;
    }
    return value;
  }

  text(obj: Json, field: string, path: string, opts: { required?: boolean } = {}): string {
    const value = obj[field];
    if (value === undefined && !opts.required) return '';
    if (typeof value !== 'string' || (opts.required && value.trim() === '')) {
      this.problems.add(`${path}.${field}`, `expected a non-empty text, got ${describe(value)}`);
      return '';
    }
    if (value.length > MAX_TEXT) {
      this.problems.add(`${path}.${field}`, `is longer than ${MAX_TEXT} characters`);
      return '';
    }
    if (hasUnprintable(value)) {
      this.problems.add(
        `${path}.${field}`,
        `${quoted(value)} contains a control character (such as a newline or ESC) or a text-direction override`,
      );
      return '';
    }
    return value.trim();
  }

  list(obj: Json, field: string, path: string): unknown[] {
    const value = obj[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.problems.add(`${path}.${field}`, `expected a list, got ${describe(value)}`);
      return [];
    }
    return value;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  return quoted(value, 40);
}

const NOT_LEGACY =
  'not a production file in the original format: expected a JSON object with "machines" (a list) and "production" (an object of dates)';

/**
 * Validates a file in the original format piece by piece: its header (every field but
 * `production`), then each date of `production`, turned into records as it goes. Problems are
 * collected with their place in the file; `finish` throws ImportValidationError listing them.
 * The whole-text parser and the streamed reader share it, so both apply the same rules.
 */
class LegacyChecker {
  private readonly read = new Reader(new Problems());
  private readonly seenDates = new Map<string, string>();
  private plant: Pick<Dataset, 'machines' | 'shifts'> = { machines: [], shifts: [] };

  constructor(private readonly file: string) {}

  get ok(): boolean {
    return this.read.problems.count === 0;
  }

  /** The plant and the file's date; throws at once when the file is not in this format at all. */
  header(root: unknown): {
    plant: Pick<Dataset, 'machines' | 'shifts'>;
    generatedAt: string | null;
  } {
    if (!isObject(root) || !Array.isArray(root.machines) || !isObject(root.production)) {
      throw new ImportValidationError(this.file, [NOT_LEGACY]);
    }
    for (const field of ['start_date', 'end_date'] as const) {
      if (root[field] !== undefined && legacyDate(root[field]) === null) {
        this.read.problems.add(
          field,
          `${describe(root[field])} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)`,
        );
      }
    }
    this.plant = {
      machines: readMachines(this.read, root.machines),
      shifts: readShifts(this.read, root.shifts),
    };
    return {
      plant: this.plant,
      generatedAt: typeof root.generated_at === 'string' ? root.generated_at : null,
    };
  }

  /** The records of one date of `production` (its machines' day records). */
  day(rawDate: string, machines: unknown): DatasetRecords {
    const records: DatasetRecords = { production: [], downtimeEvents: [], qualityIssues: [] };
    readProductionDate(this.read, rawDate, machines, this.seenDates, { ...this.plant, ...records });
    return records;
  }

  finish(): void {
    const { problems } = this.read;
    if (problems.count > 0)
      throw new ImportValidationError(this.file, problems.listed, problems.count);
  }
}

/**
 * Parses and validates a file in the original format held as text. Throws ImportValidationError
 * listing every problem (each with its place in the file); returns a dataset only when the whole
 * file is valid.
 */
export function parseLegacyFile(text: string, file: string): ParsedLegacyFile {
  let root: unknown;
  try {
    // Files saved by some Windows editors start with a byte order mark, which JSON does not allow.
    root = JSON.parse(text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text);
  } catch (error) {
    throw new ImportValidationError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  const checker = new LegacyChecker(file);
  const { plant, generatedAt } = checker.header(root);
  const dataset: Dataset = { ...plant, production: [], downtimeEvents: [], qualityIssues: [] };
  for (const [rawDate, machines] of Object.entries((root as Json).production as Json)) {
    const records = checker.day(rawDate, machines);
    dataset.production.push(...records.production);
    dataset.downtimeEvents.push(...records.downtimeEvents);
    dataset.qualityIssues.push(...records.qualityIssues);
  }
  checker.finish();
  return { dataset, generatedAt };
}

/** A file in the original format read as a stream: its plant, then its records date by date. */
export interface LegacyFileStream {
  plant: Pick<Dataset, 'machines' | 'shifts'>;
  generatedAt: string | null;
  /**
   * The records of each date, validated as they are read; throws ImportValidationError at the end
   * (or at once for a file that is not JSON) when anything in the file is wrong, so a consumer
   * that writes inside a transaction writes all of a valid file or nothing.
   */
  days: () => AsyncGenerator<DatasetRecords>;
}

/**
 * Reads a file in the original format in bounded memory, whatever its size: a first pass reads
 * everything but `production` (the plant), a second yields `production` one date at a time.
 */
export async function streamLegacyFile(file: string): Promise<LegacyFileStream> {
  const checker = new LegacyChecker(file);
  const root: Json = {};
  const seen = { streamed: false };
  try {
    const keep = { level1: true, level2: false };
    for await (const entry of jsonEntries(file, 'production', keep, seen)) {
      root[entry.key] = entry.value;
    }
  } catch (error) {
    throw readProblem(file, error);
  }
  // The dates of an object `production` are checked in the second pass.
  if (seen.streamed) root.production = {};
  const { plant, generatedAt } = checker.header(root);
  const stream: LegacyFileStream = {
    plant,
    generatedAt,
    days: async function* () {
      try {
        const keep = { level1: false, level2: true };
        for await (const { key: date, value } of jsonEntries(file, 'production', keep)) {
          const records = checker.day(date, value);
          if (checker.ok) yield records;
        }
      } catch (error) {
        throw readProblem(file, error);
      }
      checker.finish();
    },
  };
  // A plant with problems is never written: read the rest for its problems, then refuse.
  if (!checker.ok) {
    const days = stream.days();
    while (!(await days.next()).done);
  }
  return stream;
}

/** A file that cannot be read, or is not JSON, as the error the user sees. */
function readProblem(file: string, error: unknown): unknown {
  if (error instanceof JsonSyntaxError) {
    return new ImportValidationError(file, [
      error.notAnObject ? NOT_LEGACY : `not valid JSON: ${error.message}`,
    ]);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (!code) return error;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code;
  return new BadInputError(`Cannot read ${file}: ${reason}`);
}

function readMachines(read: Reader, raw: unknown[]): MachineSpec[] {
  const machines: MachineSpec[] = [];
  raw.forEach((item, index) => {
    const path = `machines[${index}]`;
    if (!isObject(item)) return read.problems.add(path, 'expected an object');
    const name = read.text(item, 'name', path, { required: true });
    const cycle = read.number(item, 'ideal_cycle_time', path, { max: 86_400 });
    if (item.ideal_cycle_time === 0)
      read.problems.add(`${path}.ideal_cycle_time`, 'must be more than 0 seconds');
    if (name && machines.some((m) => m.name === name)) {
      read.problems.add(`${path}.name`, `machine "${name}" is listed twice`);
    }
    machines.push({ name, type: read.text(item, 'type', path), idealCycleTimeSeconds: cycle });
  });
  if (raw.length === 0) read.problems.add('machines', 'the list is empty');
  return machines;
}

function readShifts(read: Reader, raw: unknown): ShiftSpec[] {
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) return [...DEFAULT_SHIFTS];
  if (!Array.isArray(raw)) {
    read.problems.add('shifts', `expected a list, got ${describe(raw)}`);
    return [...DEFAULT_SHIFTS];
  }
  const shifts: ShiftSpec[] = [];
  raw.forEach((item, index) => {
    const path = `shifts[${index}]`;
    if (!isObject(item)) return read.problems.add(path, 'expected an object');
    const name = read.text(item, 'name', path, { required: true });
    const startHour = read.number(item, 'start_hour', path, { integer: true, max: 24 });
    const endHour = read.number(item, 'end_hour', path, { integer: true, max: 24 });
    const minute = (field: string) =>
      item[field] === undefined ? 0 : read.number(item, field, path, { integer: true, max: 59 });
    const [startMinute, endMinute] = [minute('start_minute'), minute('end_minute')];
    if (name && shifts.some((s) => s.name === name)) {
      read.problems.add(`${path}.name`, `shift "${name}" is listed twice`);
    }
    shifts.push({ name, startHour, endHour, startMinute, endMinute });
  });
  return shifts;
}

interface DayTotals {
  good: number;
  scrap: number;
  uptime: number;
  downtime: number;
}

/** One date of `production`: its machines' day records, read into `dataset`. */
function readProductionDate(
  read: Reader,
  rawDate: string,
  machines: unknown,
  seenDates: Map<string, string>,
  dataset: Dataset,
): void {
  const machinesByName = new Map(dataset.machines.map((m) => [m.name, m]));
  const datePath = `production${key(rawDate)}`;
  const date = legacyDate(rawDate);
  if (date === null) {
    read.problems.add(datePath, `"${rawDate}" is not a date (YYYY-MM-DD)`);
    return;
  }
  if (seenDates.has(date)) {
    read.problems.add(datePath, `the same date as production${key(seenDates.get(date) as string)}`);
    return;
  }
  seenDates.set(date, rawDate);
  if (!isObject(machines)) {
    read.problems.add(datePath, 'expected an object of machine records');
    return;
  }
  for (const [machine, record] of Object.entries(machines)) {
    const path = `${datePath}${key(machine)}`;
    const spec = machinesByName.get(machine);
    if (!spec) {
      read.problems.add(path, `machine "${machine}" is not in "machines"`);
    } else if (!isObject(record)) {
      read.problems.add(path, 'expected an object');
    } else {
      readDayRecord(read, record, path, spec, date, dataset);
    }
  }
}

/**
 * Day totals must be consistent. A shift breakdown only weights the split of the day's totals,
 * so its own sums are not checked: the original's files often have shifts that do not add up.
 */
function readTotals(
  read: Reader,
  record: Json,
  path: string,
  level: 'day' | 'shift',
): DayTotals & { parts: number } {
  const counts = { integer: true, max: MAX_PARTS_PER_DAY };
  const parts = read.number(record, 'parts_produced', path, counts);
  const good = read.number(record, 'good_parts', path, counts);
  const scrap = read.number(record, 'scrap_parts', path, counts);
  const uptime = roundHours(read.number(record, 'uptime_hours', path, { max: 24 }));
  const downtime = roundHours(read.number(record, 'downtime_hours', path, { max: 24 }));
  if (level === 'shift') return { parts, good, scrap, uptime, downtime };
  // NaN (an already reported bad field) fails every comparison below, so nothing is reported twice.
  if (good > parts) {
    read.problems.add(`${path}.good_parts`, `${good} is more than parts_produced (${parts})`);
  } else if (good + scrap < parts || good + scrap > parts) {
    read.problems.add(
      `${path}.scrap_parts`,
      `good_parts + scrap_parts (${good} + ${scrap}) must equal parts_produced (${parts})`,
    );
  }
  if (uptime + downtime > 24) {
    read.problems.add(
      path,
      `uptime_hours + downtime_hours is ${roundHours(uptime + downtime)}, more than 24`,
    );
  }
  return { parts, good, scrap, uptime, downtime };
}

function readDayRecord(
  read: Reader,
  record: Json,
  path: string,
  spec: MachineSpec,
  date: string,
  dataset: Dataset,
): void {
  const machine = spec.name;
  const totals = readTotals(read, record, path, 'day');
  const shiftNames = new Set(dataset.shifts.map((s) => s.name));
  const optionalShift = (item: Json, itemPath: string): string | null => {
    if (item.shift === undefined || item.shift === null) return null;
    if (typeof item.shift === 'string' && shiftNames.has(item.shift)) return item.shift;
    read.problems.add(`${itemPath}.shift`, `${describe(item.shift)} is not a shift in "shifts"`);
    return null;
  };

  // The original's files are not always consistent (events that add up to more than the day's
  // downtime, issues on a day without parts), and they must import; what no plant can record is
  // refused: an event longer than the recorded day, more parts affected than the machine made or
  // could have made in that time.
  const recordedHours = roundHours(totals.uptime + totals.downtime);
  const cycleSeconds = spec.idealCycleTimeSeconds;
  const capacity = cycleSeconds > 0 ? Math.floor((recordedHours * 3600) / cycleSeconds) : 0;
  const maxAffected = Math.max(totals.parts, capacity);

  let eventHours = 0;
  read.list(record, 'downtime_events', path).forEach((item, index) => {
    const itemPath = `${path}.downtime_events[${index}]`;
    if (!isObject(item)) return read.problems.add(itemPath, 'expected an object');
    const durationHours = roundHours(read.number(item, 'duration_hours', itemPath, { max: 24 }));
    if (durationHours > recordedHours) {
      read.problems.add(
        `${itemPath}.duration_hours`,
        `${durationHours} h is longer than the day's recorded time (uptime_hours + downtime_hours = ${recordedHours} h)`,
      );
    }
    eventHours += durationHours;
    dataset.downtimeEvents.push({
      machine,
      date,
      shift: optionalShift(item, itemPath),
      reason: read.text(item, 'reason', itemPath, { required: true }).toLowerCase(),
      description: read.text(item, 'description', itemPath),
      durationHours,
    } satisfies DowntimeEventRecord);
  });
  if (roundHours(eventHours) > recordedHours) {
    read.problems.add(
      `${path}.downtime_events`,
      `the events add up to ${roundHours(eventHours)} h, more than the day's recorded time (${recordedHours} h)`,
    );
  }

  read.list(record, 'quality_issues', path).forEach((item, index) => {
    const itemPath = `${path}.quality_issues[${index}]`;
    if (!isObject(item)) return read.problems.add(itemPath, 'expected an object');
    const severity = findSeverity(item.severity);
    if (!severity) {
      read.problems.add(
        `${itemPath}.severity`,
        `${describe(item.severity)} is not ${SEVERITY_CHOICES}`,
      );
    }
    const partsAffected = read.number(item, 'parts_affected', itemPath, {
      integer: true,
      max: MAX_PARTS_PER_DAY,
    });
    if (partsAffected > maxAffected) {
      read.problems.add(
        `${itemPath}.parts_affected`,
        `${partsAffected} is more than ${machine} made that day (${totals.parts}) or could make in its recorded time (${capacity})`,
      );
    }
    dataset.qualityIssues.push({
      machine,
      date,
      shift: optionalShift(item, itemPath),
      type: read.text(item, 'type', itemPath, { required: true }),
      description: read.text(item, 'description', itemPath),
      partsAffected,
      severity: severity ?? 'Low',
    } satisfies QualityIssueRecord);
  });

  dataset.production.push(...shiftRows(read, record, path, machine, date, dataset.shifts, totals));
}

/**
 * Splits a day record into shift rows whose sums equal the day's totals exactly. Shifts keep their
 * recorded values and the last one takes the remainder; when the recorded values add up to more
 * than the day's total, the total is split in their proportions. A record without a breakdown goes
 * to the first shift.
 */
function shiftRows(
  read: Reader,
  record: Json,
  path: string,
  machine: string,
  date: string,
  shifts: ShiftSpec[],
  totals: DayTotals,
): ProductionRecord[] {
  const breakdown = record.shifts;
  let recorded: { shift: string; values: DayTotals }[] = [];
  if (isObject(breakdown) && Object.keys(breakdown).length > 0) {
    const order = shifts.map((s) => s.name);
    for (const [name, value] of Object.entries(breakdown)) {
      const shiftPath = `${path}.shifts${key(name)}`;
      if (!order.includes(name)) {
        read.problems.add(shiftPath, `"${name}" is not a shift in "shifts"`);
      } else if (!isObject(value)) {
        read.problems.add(shiftPath, 'expected an object');
      } else {
        recorded.push({ shift: name, values: readTotals(read, value, shiftPath, 'shift') });
      }
    }
    recorded.sort((a, b) => order.indexOf(a.shift) - order.indexOf(b.shift));
  } else if (breakdown !== undefined && breakdown !== null && !isObject(breakdown)) {
    read.problems.add(
      `${path}.shifts`,
      `expected an object of shift records, got ${describe(breakdown)}`,
    );
  }
  if (recorded.length === 0) {
    recorded = [{ shift: shifts[0]?.name ?? DEFAULT_SHIFTS[0].name, values: totals }];
  }

  const split = (field: keyof DayTotals, integer: boolean) =>
    distribute(
      totals[field],
      recorded.map((r) => r.values[field]),
      integer,
    );
  const good = split('good', true);
  const scrap = split('scrap', true);
  const uptime = split('uptime', false);
  const downtime = split('downtime', false);
  return recorded.map((r, i) => ({
    machine,
    date,
    shift: r.shift,
    plannedHours: roundHours(uptime[i] + downtime[i]),
    runHours: uptime[i],
    downtimeHours: downtime[i],
    partsProduced: good[i] + scrap[i],
    goodParts: good[i],
    scrapParts: scrap[i],
  }));
}

/** The split rule for one field; see shiftRows. */
function distribute(total: number, recorded: number[], integer: boolean): number[] {
  const recordedSum = sum(recorded);
  if (recordedSum > total) {
    if (integer) return splitProportionally(total, recorded);
    const shares = recorded.map((value) => roundHours((total * value) / recordedSum));
    return withRemainderLast(total, shares.slice(0, -1), integer);
  }
  return withRemainderLast(total, recorded.slice(0, -1), integer);
}

function withRemainderLast(total: number, leading: number[], integer: boolean): number[] {
  const rest = total - sum(leading);
  return [...leading, integer ? rest : Math.max(0, roundHours(rest))];
}
