import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { todayIn } from '../common/dates';
import { AdminGuard } from '../common/graphql/admin.guard';
import { AppConfig } from '../config/app-config.service';
import { RateLimitBucket } from '../common/rate-limit/rate-limit-bucket.decorator';
import { DataService } from './data.service';
import { DemoDataService } from './demo-data.service';
import { SetupArgs } from './dto/setup.args';
import { Factory } from './models/factory.model';
import { Machine } from './models/machine.model';
import { SetupResult } from './models/setup-result.model';
import { Shift } from './models/shift.model';

@Resolver()
export class DataResolver {
  constructor(
    private readonly data: DataService,
    private readonly demo: DemoDataService,
    private readonly config: AppConfig,
  ) {}

  @Query(() => Factory, { description: "The plant: name, time zone and today's date there." })
  factory(): Factory {
    const timeZone = this.config.timeZone;
    return { name: this.config.factoryName, timeZone, today: todayIn(timeZone) };
  }

  @Query(() => [Machine], { description: 'All machines, in id order.' })
  async machines(): Promise<Machine[]> {
    const machines = await this.data.listMachines();
    return machines.map(({ idealCycleTimeSeconds, ...m }) => ({
      ...m,
      idealCycleTime: idealCycleTimeSeconds,
    }));
  }

  @Query(() => [Shift], { description: 'All shifts, by start hour.' })
  shifts(): Promise<Shift[]> {
    return this.data.listShifts();
  }

  @Mutation(() => SetupResult, {
    description:
      'Replaces ALL data with generated demo data. Needs Authorization: Bearer <ADMIN_API_KEY>; rate-limited by RATE_LIMIT_SETUP.',
  })
  @RateLimitBucket('setup')
  @UseGuards(AdminGuard)
  async setup(@Args() args: SetupArgs): Promise<SetupResult> {
    const outcome = await this.demo.setup({
      days: args.days,
      machines: args.machines,
      seed: args.seed ?? undefined,
    });
    return {
      message: `Generated ${outcome.days} days of demo data for ${outcome.machineNames.length} machines (${outcome.productionRows} production rows).`,
      days: outcome.days,
      startDate: outcome.startDate,
      endDate: outcome.endDate,
      machines: outcome.machineNames,
    };
  }
}
