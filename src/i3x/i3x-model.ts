import { Injectable } from '@nestjs/common';
import { addDays, daysInclusive, todayIn } from '../common/dates';
import { ShiftCalendar } from '../common/shift-calendar';
import { AppConfig, TARGET_KEYS, Targets } from '../config/app-config.service';
import { DataService } from '../data/data.service';
import { LiveDataService } from '../data/live/live-data.service';
import { IngestService } from '../ingest/ingest.service';
import { MetricsService } from '../metrics/metrics.service';
import { OeeResult } from '../metrics/metrics.types';
import {
  I3xError,
  Namespace,
  ObjectInstance,
  ObjectType,
  RelationshipType,
  Vqt,
} from './i3x.types';

export const NAMESPACE_URI = 'urn:factory-agent:i3x';
/** The longest history one request may cover, in days. */
export const MAX_HISTORY_DAYS = 366;

const ratio = { type: ['number', 'null'], minimum: 0 };
/** Counts and ratios: what a shift's figures hold (live ones too). */
const FIGURES = {
  totalParts: { type: 'integer', minimum: 0 },
  goodParts: { type: 'integer', minimum: 0 },
  scrapParts: { type: 'integer', minimum: 0 },
  oee: { ...ratio, description: 'Availability x Performance x Quality (0-1)' },
  availability: ratio,
  performance: {
    ...ratio,
    description: 'Not capped: above 1 means the ideal cycle time is too long',
  },
  quality: ratio,
};
/** A day's figures add the hours. */
const DAY_FIGURES = {
  ...FIGURES,
  plannedHours: { type: 'number', minimum: 0 },
  runHours: { type: 'number', minimum: 0 },
};

function objectSchema(properties: Record<string, unknown>, description: string) {
  return {
    type: 'object',
    description,
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

const TYPES: Omit<ObjectType, 'namespaceUri' | 'version'>[] = [
  {
    elementId: 'plant-type',
    displayName: 'Plant',
    sourceTypeId: 'Plant',
    schema: objectSchema(
      {
        name: { type: 'string' },
        timeZone: { type: 'string', description: 'IANA time zone of the plant calendar' },
        today: { type: 'string', format: 'date' },
        machines: {
          type: ['integer', 'null'],
          minimum: 0,
          description: 'How many machines (null in history: not recorded)',
        },
        targets: objectSchema(
          {
            oee: { type: 'number', minimum: 0, maximum: 1 },
            availability: { type: 'number', minimum: 0, maximum: 1 },
            performance: { type: 'number', minimum: 0, maximum: 1 },
            quality: { type: 'number', minimum: 0, maximum: 1 },
            scrapRate: {
              type: 'number',
              minimum: 0,
              maximum: 100,
              description: 'Percent, at most',
            },
          },
          "The plant's targets (writable with the admin key): ratios 0-1, scrap rate in percent",
        ),
      },
      'The plant: its name, calendar, size and targets. History: each change of the targets, at the instant it took effect.',
    ),
  },
  {
    elementId: 'machine-type',
    displayName: 'Machine',
    sourceTypeId: 'Machine',
    schema: objectSchema(
      {
        machineType: { type: 'string', description: 'e.g. CNC, Assembly, Packaging' },
        idealCycleTimeSeconds: { type: 'number', minimum: 0 },
        state: {
          type: ['string', 'null'],
          enum: ['RUNNING', 'STOPPED', null],
          description: 'From live signals; null when the machine reports none',
        },
        since: { type: ['string', 'null'], description: 'When the state began (UTC)' },
        reason: { type: ['string', 'null'], description: 'Why it stopped' },
      },
      'A machine: what it is and its live state. Its figures are its components.',
    ),
  },
  {
    elementId: 'shift-figures-type',
    displayName: 'Shift figures',
    sourceTypeId: 'ShiftFigures',
    schema: objectSchema(
      {
        date: { type: 'string', format: 'date' },
        shift: { type: 'string' },
        ...FIGURES,
      },
      "A machine's counts and OEE, availability, performance and quality in one shift (the running one for current values).",
    ),
  },
  {
    elementId: 'day-figures-type',
    displayName: 'Day figures',
    sourceTypeId: 'DayFigures',
    schema: objectSchema(
      { date: { type: 'string', format: 'date' }, ...DAY_FIGURES },
      "A machine's counts and OEE, availability, performance and quality over one plant day (today for current values).",
    ),
  },
  {
    elementId: 'downtime-by-reason-type',
    displayName: 'Downtime by reason',
    sourceTypeId: 'DowntimeByReason',
    schema: objectSchema(
      {
        date: { type: 'string', format: 'date' },
        reasons: {
          type: 'array',
          items: objectSchema(
            {
              reason: { type: 'string' },
              hours: { type: 'number', minimum: 0 },
              events: { type: 'integer', minimum: 0 },
              planned: { type: 'boolean' },
            },
            'One downtime reason',
          ),
        },
      },
      "A machine's downtime events of one day by reason, most hours first.",
    ),
  },
  {
    elementId: 'shift-type',
    displayName: 'Shift',
    sourceTypeId: 'Shift',
    schema: objectSchema(
      {
        name: { type: 'string' },
        startTime: { type: 'string', description: 'Local HH:MM' },
        endTime: { type: 'string', description: 'Local HH:MM (before the start: the next day)' },
      },
      'A shift of the plant calendar.',
    ),
  },
];

const RELATIONSHIPS: [string, string][] = [
  ['HasParent', 'HasChildren'],
  ['HasChildren', 'HasParent'],
  ['HasComponent', 'ComponentOf'],
  ['ComponentOf', 'HasComponent'],
];

/** The components of every machine: its figures of the running shift and of today, and downtime. */
const COMPONENTS = [
  { suffix: 'current-shift', type: 'shift-figures-type', name: 'current shift' },
  { suffix: 'today', type: 'day-figures-type', name: 'today' },
  { suffix: 'downtime-today', type: 'downtime-by-reason-type', name: 'downtime today' },
] as const;

type Node = ObjectInstance & {
  relationships: Record<string, string[]>;
  description: string;
  kind: 'plant' | 'machine' | 'shift' | (typeof COMPONENTS)[number]['suffix'];
  /** The machine or shift name it stands for. */
  name: string;
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Factory Agent's address space for i3X: the plant as root, its machines and shifts under it, and
 * each machine composed of its figures (current shift, today, downtime today). Element ids come
 * from names (`machine:CNC-001`, `machine:CNC-001:today`, `shift:Day`), so they stay the same
 * across restarts and instances. Values and history come from MetricsService and the live data.
 */
@Injectable()
export class I3xModel {
  private readonly calendar: ShiftCalendar;

  constructor(
    private readonly config: AppConfig,
    private readonly data: DataService,
    private readonly metrics: MetricsService,
    private readonly live: IngestService,
    private readonly signals: LiveDataService,
  ) {
    this.calendar = new ShiftCalendar(config.shifts, config.timeZone);
  }

  namespaces(): Namespace[] {
    return [{ uri: NAMESPACE_URI, displayName: 'Factory Agent' }];
  }

  objectTypes(): ObjectType[] {
    return TYPES.map((t) => ({ ...t, namespaceUri: NAMESPACE_URI, version: '1.0.0' }));
  }

  relationshipTypes(): RelationshipType[] {
    return RELATIONSHIPS.map(([id, reverse]) => ({
      elementId: id,
      displayName: id,
      namespaceUri: NAMESPACE_URI,
      relationshipId: id,
      reverseOf: reverse,
    }));
  }

  /** Every object, in a stable order: the plant, then each machine with its components, then shifts. */
  async nodes(): Promise<Node[]> {
    const [machines, shifts] = await Promise.all([
      this.data.listMachines(),
      this.data.listShifts(),
    ]);
    const plant: Node = {
      elementId: 'plant',
      displayName: this.config.factoryName,
      typeElementId: 'plant-type',
      parentId: null,
      isComposition: false,
      isExtended: false,
      kind: 'plant',
      name: this.config.factoryName,
      description: 'The plant.',
      relationships: {
        HasChildren: [
          ...machines.map((m) => `machine:${m.name}`),
          ...shifts.map((s) => `shift:${s.name}`),
        ],
      },
    };
    const nodes: Node[] = [plant];
    for (const m of machines) {
      const id = `machine:${m.name}`;
      const parts = COMPONENTS.map((c) => `${id}:${c.suffix}`);
      nodes.push({
        elementId: id,
        displayName: m.name,
        typeElementId: 'machine-type',
        parentId: 'plant',
        isComposition: true,
        isExtended: false,
        kind: 'machine',
        name: m.name,
        description: `${m.type} machine ${m.name}.`,
        relationships: { HasParent: ['plant'], HasChildren: parts, HasComponent: parts },
      });
      for (const c of COMPONENTS) {
        nodes.push({
          elementId: `${id}:${c.suffix}`,
          displayName: `${m.name} ${c.name}`,
          typeElementId: c.type,
          parentId: id,
          isComposition: false,
          isExtended: false,
          kind: c.suffix,
          name: m.name,
          description: `The ${c.name} figures of ${m.name}.`,
          relationships: { HasParent: [id], ComponentOf: [id] },
        });
      }
    }
    for (const s of shifts) {
      nodes.push({
        elementId: `shift:${s.name}`,
        displayName: s.name,
        typeElementId: 'shift-type',
        parentId: 'plant',
        isComposition: false,
        isExtended: false,
        kind: 'shift',
        name: s.name,
        description: `The ${s.name} shift of the plant calendar.`,
        relationships: { HasParent: ['plant'] },
      });
    }
    return nodes;
  }

  /** An object as i3X lists it, with its metadata when asked. */
  instance(node: Node, includeMetadata: boolean): ObjectInstance {
    const object: ObjectInstance = {
      elementId: node.elementId,
      displayName: node.displayName,
      typeElementId: node.typeElementId,
      parentId: node.parentId,
      isComposition: node.isComposition,
      isExtended: node.isExtended,
    };
    if (!includeMetadata) return object;
    const type = TYPES.find((t) => t.elementId === node.typeElementId);
    return {
      ...object,
      metadata: {
        description: node.description,
        typeNamespaceUri: NAMESPACE_URI,
        sourceTypeId: type?.sourceTypeId ?? '',
        relationships: node.relationships,
      },
    };
  }

  /** The current value of an object (its own, never its components'). */
  async value(node: Node): Promise<Vqt> {
    const now = iso(Date.now());
    const good = (value: unknown): Vqt => ({ value, quality: 'Good', timestamp: now });
    // A running machine that went silent: its last known values, which may be out of date.
    const live = async (value: unknown, state: string | null): Promise<Vqt> =>
      (await this.silent(node.name, state))
        ? { value, quality: 'Uncertain', timestamp: now }
        : good(value);
    const today = todayIn(this.config.timeZone);
    switch (node.kind) {
      case 'plant':
        return good({
          name: this.config.factoryName,
          timeZone: this.config.timeZone,
          today,
          machines: (await this.data.listMachines()).length,
          targets: await this.metrics.plantTargets(),
        });
      case 'shift': {
        const shift = (await this.data.listShifts()).find((s) => s.name === node.name);
        return good({
          name: node.name,
          startTime: shift?.startTime ?? '',
          endTime: shift?.endTime ?? '',
        });
      }
      case 'machine': {
        const machine = (await this.data.listMachines()).find((m) => m.name === node.name);
        const [m] = (await this.live.currentShift([node.name])).machines;
        const state = m?.state ?? null;
        return live(
          {
            machineType: machine?.type ?? '',
            idealCycleTimeSeconds: machine?.idealCycleTimeSeconds ?? 0,
            state,
            since: m?.since ?? null,
            reason: m?.reason ?? null,
          },
          state,
        );
      }
      case 'current-shift': {
        const shift = await this.live.currentShift([node.name]);
        const [m] = shift.machines;
        if (!m || (m.parts === 0 && m.state === null)) return noData(now);
        return live(
          {
            date: shift.date,
            shift: shift.shift,
            totalParts: m.parts,
            goodParts: m.parts - m.scrap,
            scrapParts: m.scrap,
            oee: m.oee,
            availability: m.availability,
            performance: m.performance,
            quality: m.quality,
          },
          m.state,
        );
      }
      case 'today': {
        const f = await this.metrics.resolveFilter(today, today, node.name);
        const figures = await this.metrics.oee(f);
        return hasData(figures)
          ? good({ date: today, ...pickFigures(figures, DAY_FIGURES) })
          : noData(now);
      }
      case 'downtime-today': {
        const f = await this.metrics.resolveFilter(today, today, node.name);
        const reasons = await this.metrics.downtimeByReason(f);
        return good({
          date: today,
          reasons: reasons.map((r) => ({
            reason: r.reason,
            hours: r.hours,
            events: r.events,
            planned: r.planned,
          })),
        });
      }
    }
  }

  /**
   * Writes an object's value: only the plant's, and of it only its targets (from `at` on, default
   * now; MetricsService checks them). Its other fields are read-only: absent, or as they are now.
   */
  async write(node: Node, value: unknown, at: number | null): Promise<void> {
    if (node.kind !== 'plant') {
      throw new I3xError(
        400,
        `${node.elementId} is read-only: over i3X only the plant's targets can be written`,
      );
    }
    if (!isRecord(value) || !isRecord(value.targets)) {
      throw new I3xError(400, 'The value must be an object with the targets to set');
    }
    // What the other fields are at the instant written (the machine count is not kept in history).
    const current = (await this.value(node)).value as Record<string, unknown>;
    const then = at === null ? current : { ...current, today: this.calendar.localDate(at) };
    for (const [key, given] of Object.entries(value)) {
      if (key === 'targets') continue;
      if (!(key in then)) throw new I3xError(400, `Unknown field of the plant: ${key}`);
      // The read-only fields are strings and numbers: anything else differs.
      const same = given === then[key];
      if (!same && !(at !== null && key === 'machines' && given === null)) {
        throw new I3xError(400, `${key} is read-only (it is ${JSON.stringify(then[key])})`);
      }
    }
    const targets: Partial<Record<keyof Targets, number | null>> = {};
    for (const [key, given] of Object.entries(value.targets)) {
      if (!TARGET_KEYS.includes(key as keyof Targets)) {
        throw new I3xError(400, `Unknown target: ${key} (one of ${TARGET_KEYS.join(', ')})`);
      }
      if (given !== null && typeof given !== 'number') {
        throw new I3xError(400, `targets.${key} must be a number or null`);
      }
      targets[key as keyof Targets] = given;
    }
    await this.metrics.setPlantTargets(targets, at ?? 'now');
  }

  /** Whether a machine said it runs but has sent no signal for I3X_STALE_SECONDS. */
  private async silent(machine: string, state: string | null): Promise<boolean> {
    if (state !== 'RUNNING') return false;
    const last = await this.signals.lastSignalAt(machine);
    return last === null || last < Date.now() - this.config.i3xStaleMs;
  }

  /**
   * Stored values between two instants: a machine's figures per shift (`current-shift`) and per
   * day (`today`), each stamped with the start of its shift or day; the plant's targets at each
   * change; other objects have no history. At most MAX_HISTORY_DAYS days.
   */
  async history(node: Node, from: number, to: number): Promise<Vqt[]> {
    const first = this.calendar.localDate(from);
    const last = this.calendar.localDate(to);
    if (daysInclusive(addDays(first, -1), last) > MAX_HISTORY_DAYS + 1) {
      throw new I3xError(400, `The range covers more than ${MAX_HISTORY_DAYS} days`);
    }
    if (node.kind === 'plant') {
      return (await this.metrics.plantTargetHistory(from, to)).map(
        ({ effectiveAt, ...targets }) => ({
          value: {
            name: this.config.factoryName,
            timeZone: this.config.timeZone,
            today: this.calendar.localDate(effectiveAt),
            machines: null,
            targets,
          },
          quality: 'Good',
          timestamp: iso(effectiveAt),
        }),
      );
    }
    if (node.kind !== 'current-shift' && node.kind !== 'today') return [];
    // A night shift that started the day before may end inside the range.
    const f = await this.metrics.resolveFilter(addDays(first, -1), last, node.name);
    const points: { at: number; value: unknown }[] = [];
    if (node.kind === 'today') {
      for (const day of await this.metrics.oeeDaily(f)) {
        const at =
          this.calendar.windowsOn(day.date)[0]?.start ?? Date.parse(`${day.date}T00:00:00Z`);
        points.push({ at, value: { date: day.date, ...pickFigures(day, DAY_FIGURES) } });
      }
    } else {
      for (const row of await this.metrics.machineShiftFigures(f)) {
        const window = this.calendar.windowsOn(row.date).find((w) => w.shift === row.shift);
        if (!window) continue;
        points.push({
          at: window.start,
          value: { date: row.date, shift: row.shift, ...pickFigures(row, FIGURES) },
        });
      }
    }
    return points
      .filter((p) => p.at >= from && p.at <= to)
      .sort((a, b) => a.at - b.at)
      .map((p) => ({ value: p.value, quality: 'Good', timestamp: iso(p.at) }));
  }
}

export type { Node as I3xNode };

function noData(timestamp: string): Vqt {
  return { value: null, quality: 'GoodNoData', timestamp };
}

function hasData(f: OeeResult): boolean {
  return f.totalParts > 0 || f.plannedHours > 0;
}

/** The figures a schema lists, taken from an answer of MetricsService. */
function pickFigures(f: OeeResult, schema: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(schema).map((key) => [key, f[key as keyof OeeResult]]));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
