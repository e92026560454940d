import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { addDays, isIsoDate, todayIn } from '../common/dates';
import { BadInputError } from '../common/errors';
import { DataService, ProgressListener, WriteSummary } from './data.service';
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

export interface SetupProgress {
  onGenerate?: ProgressListener;
  onWrite?: ProgressListener;
}

/** Generates demo data and replaces the stored dataset with it (CLI `setup`, first start, GraphQL). */
@Injectable()
export class DemoDataService {
  constructor(
    private readonly data: DataService,
    private readonly config: AppConfig,
  ) {}

  /** Fills in defaults (DEMO_DEFAULTS, DEMO_SEED, today in FACTORY_TIMEZONE) and validates. */
  resolveOptions(options: Partial<DemoOptions>): DemoOptions {
    const resolved: DemoOptions = {
      days: options.days ?? DEMO_DEFAULTS.days,
      machines: options.machines ?? DEMO_DEFAULTS.machines,
      seed: options.seed ?? this.config.demoSeed,
      endDate: options.endDate ?? todayIn(this.config.timeZone),
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

  async setup(options: Partial<DemoOptions>, progress: SetupProgress = {}): Promise<SetupOutcome> {
    const resolved = this.resolveOptions(options);
    // One machine at a time, letting other requests in between: a large setup over GraphQL must
    // not stall the server's readers.
    const dataset = emptyDemoDataset(resolved);
    for (let m = 0; m < resolved.machines; m++) {
      generateDemoMachine(dataset, resolved, m);
      progress.onGenerate?.(m + 1, resolved.machines);
      await nextTurn();
    }
    const summary = await this.data.replaceDataset(
      dataset,
      { source: 'demo', generatedAt: new Date().toISOString() },
      progress.onWrite,
    );
    return {
      ...summary,
      days: resolved.days,
      startDate: addDays(resolved.endDate, -(resolved.days - 1)),
      endDate: resolved.endDate,
      machineNames: dataset.machines.map((m) => m.name),
    };
  }
}
