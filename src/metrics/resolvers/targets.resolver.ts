import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminGuard } from '../../common/graphql/admin.guard';
import { SetMachineTargetsArgs } from '../dto/set-targets.args';
import { MetricsService } from '../metrics.service';
import { MachineOee } from '../models/machine-oee.model';
import { OeeMetrics } from '../models/oee-metrics.model';
import { MachineTargets, TargetCheck, Targets } from '../models/targets.model';

const TARGET =
  "The targets these figures are held to (the machine's own, else the plant's) and whether each is met.";

@Resolver(() => OeeMetrics)
export class OeeTargetResolver {
  constructor(private readonly metrics: MetricsService) {}

  @ResolveField(() => TargetCheck, { description: TARGET })
  target(@Parent() parent: OeeMetrics): Promise<TargetCheck> {
    return this.metrics.targetCheck(parent, parent.filter.machine?.name ?? null);
  }
}

@Resolver(() => MachineOee)
export class MachineTargetResolver {
  constructor(private readonly metrics: MetricsService) {}

  @ResolveField(() => TargetCheck, { description: TARGET })
  target(@Parent() parent: MachineOee): Promise<TargetCheck> {
    return this.metrics.targetCheck(parent, parent.machine);
  }
}

@Resolver(() => Targets)
export class TargetsResolver {
  constructor(private readonly metrics: MetricsService) {}

  @Query(() => Targets, { description: "The plant's targets (TARGET_*) and the machines' own." })
  targets(): Promise<Targets> {
    return this.metrics.targets();
  }

  @Mutation(() => MachineTargets, {
    description:
      "Sets a machine's own targets (a value replaces, null clears, omitted keeps). Needs Authorization: Bearer <ADMIN_API_KEY>.",
  })
  @UseGuards(AdminGuard)
  setMachineTargets(@Args() args: SetMachineTargetsArgs): Promise<MachineTargets> {
    const { machine, ...values } = args;
    return this.metrics.setMachineTargets(machine, values);
  }
}
