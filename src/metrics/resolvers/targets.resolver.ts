import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminGuard } from '../../common/graphql/admin.guard';
import { SetMachineTargetsArgs, SetPlantTargetsArgs } from '../dto/set-targets.args';
import { MetricsService } from '../metrics.service';
import { MachineOee } from '../models/machine-oee.model';
import { OeeMetrics } from '../models/oee-metrics.model';
import { MachineScrap } from '../models/machine-scrap.model';
import { ScrapMetrics } from '../models/scrap-metrics.model';
import {
  MachineTargets,
  PlantTargets,
  ScrapTarget,
  TargetCheck,
  Targets,
} from '../models/targets.model';

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

@Resolver(() => ScrapMetrics)
export class ScrapTargetResolver {
  constructor(private readonly metrics: MetricsService) {}

  @ResolveField(() => ScrapTarget, { description: TARGET })
  target(@Parent() parent: ScrapMetrics): Promise<ScrapTarget> {
    return this.metrics.scrapTargetCheck(
      { scrapParts: parent.totalScrap, totalParts: parent.totalParts },
      parent.filter.machine?.name ?? null,
    );
  }
}

@Resolver(() => MachineScrap)
export class MachineScrapTargetResolver {
  constructor(private readonly metrics: MetricsService) {}

  @ResolveField(() => ScrapTarget, { description: TARGET })
  target(@Parent() parent: MachineScrap): Promise<ScrapTarget> {
    return this.metrics.scrapTargetCheck(parent, parent.machine);
  }
}

@Resolver(() => Targets)
export class TargetsResolver {
  constructor(private readonly metrics: MetricsService) {}

  @Query(() => Targets, {
    description: "The plant's targets (as set, else TARGET_*) and the machines' own.",
  })
  targets(): Promise<Targets> {
    return this.metrics.targets();
  }

  @Mutation(() => PlantTargets, {
    description:
      "Sets the plant's targets (a value replaces, null goes back to the TARGET_* setting, omitted keeps). Answers hold every period to them from now on; each change is kept with its time (the i3X history of the plant). Needs Authorization: Bearer <ADMIN_API_KEY>.",
  })
  @UseGuards(AdminGuard)
  setPlantTargets(@Args() values: SetPlantTargetsArgs): Promise<PlantTargets> {
    return this.metrics.setPlantTargets({ ...values });
  }

  @Mutation(() => MachineTargets, {
    description:
      "Sets a machine's own targets (a value replaces, null clears to the plant's, omitted keeps). Needs Authorization: Bearer <ADMIN_API_KEY>.",
  })
  @UseGuards(AdminGuard)
  setMachineTargets(@Args() args: SetMachineTargetsArgs): Promise<MachineTargets> {
    const { machine, ...values } = args;
    return this.metrics.setMachineTargets(machine, values);
  }
}
