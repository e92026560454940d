import { Injectable } from '@nestjs/common';
import { ShiftCalendar } from '../common/shift-calendar';
import { AppConfig } from '../config/app-config.service';
import { addDays, isIsoDate, todayIn } from '../common/dates';
import { BadInputError } from '../common/errors';
import { DataService, ProgressListener, WriteSummary } from './data.service';
import { DatasetRecords } from './dataset';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  DEMO_DEFAULTS,
  DEMO_LIMITS,
  DemoOptions,
  emptyDemoDataset,
  generateDemoMachine,
} from './generator/demo-generator';

export interface SetupOutcome extends WriteSummary {
  days: number;
  startDate: string;
  endDate: string;
  machineNames: string[];
}

/** Generates demo data and replaces the stored dataset with it (CLI `setup`, first start, GraphQL). */
@Injectable()
export class DemoDataService {
  private readonly calendar: ShiftCalendar;

  constructor(
    private readonly data: DataService,
    private readonly config: AppConfig,
  ) {
    this.calendar = new ShiftCalendar(config.shifts, config.timeZone);
  }

  /** Fills in defaults (DEMO_DEFAULTS, DEMO_SEED, today in FACTORY_TIMEZONE) and validates. */
  resolveOptions(options: Partial<DemoOptions>): DemoOptions {
    const resolved: DemoOptions = {
      days: options.days ?? DEMO_DEFAULTS.days,
      machines: options.machines ?? DEMO_DEFAULTS.machines,
      seed: options.seed ?? this.config.demoSeed,
      endDate: options.endDate ?? todayIn(this.config.timeZone),
      // The shift calendar (SHIFTS in FACTORY_TIMEZONE): its shifts, and their real length per date.
      shifts: this.config.shifts,
      shiftHours: (date, shift) => this.calendar.hoursOf(date, shift.name),
    };
    for (const field of ['days', 'machines'] as const) {
      const { min, max } = DEMO_LIMITS[field];
      const value = resolved[field];
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new BadInputError(
          `${field} must be a whole number from ${min} to ${max}, got ${value}`,
        );
      }
    }
    if (!Number.isInteger(resolved.seed) || resolved.seed < 0 || resolved.seed > 2_147_483_647) {
      throw new BadInputError(
        `seed must be a whole number from 0 to 2147483647, got ${resolved.seed}`,
      );
    }
    if (!isIsoDate(resolved.endDate)) {
      throw new BadInputError(
        `end date must be a calendar date YYYY-MM-DD, got "${resolved.endDate}"`,
      );
    }
    return resolved;
  }

  /**
   * Generates the plant a machine at a time and writes each machine as it is made, in one
   * transaction: memory holds one machine's days, whatever the size of the plant, and other requests
   * get their turn between machines (a large setup over GraphQL must not stall the server's readers).
   */
  async setup(options: Partial<DemoOptions>, onProgress?: ProgressListener): Promise<SetupOutcome> {
    const resolved = this.resolveOptions(options);
    const plant = emptyDemoDataset(resolved);
    async function* machines(): AsyncGenerator<DatasetRecords> {
      for (let m = 0; m < resolved.machines; m++) {
        await nextTurn();
        const part = { ...plant, production: [], downtimeEvents: [], qualityIssues: [] };
        generateDemoMachine(part, resolved, m);
        yield part;
        onProgress?.(m + 1, resolved.machines);
      }
    }
    const summary = await this.data.replaceInParts(
      plant,
      { source: 'demo', generatedAt: new Date().toISOString() },
      machines(),
    );
    return {
      ...summary,
      days: resolved.days,
      startDate: addDays(resolved.endDate, -(resolved.days - 1)),
      endDate: resolved.endDate,
      machineNames: plant.machines.map((m) => m.name),
    };
  }
}
