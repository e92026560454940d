import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ isAbstract: true })
abstract class TargetValues {
  @Field(() => Float, { description: 'OEE target, a ratio (0-1): met at or above it.' })
  oee!: number;

  @Field(() => Float, { description: 'Availability target (0-1).' })
  availability!: number;

  @Field(() => Float, { description: 'Performance target (0-1).' })
  performance!: number;

  @Field(() => Float, { description: 'Quality target (0-1).' })
  quality!: number;

  @Field(() => Float, { description: 'Scrap rate target in percent: met at or below it.' })
  scrapRate!: number;
}

@ObjectType({
  description:
    "The plant's targets: as last set (setPlantTargets, CLI, i3X), else the TARGET_* settings.",
})
export class PlantTargets extends TargetValues {}

@ObjectType({
  description: 'The targets an answer is held to, and whether each figure meets its own.',
})
export class TargetCheck extends TargetValues {
  @Field({ description: "Whether the machine has targets of its own (else the plant's)." })
  own!: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Null when the figure is null.' })
  oeeMet!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  availabilityMet!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  performanceMet!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  qualityMet!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  scrapRateMet!: boolean | null;
}

@ObjectType({ description: "A machine's own targets; null: the plant's applies." })
export class MachineTargets {
  @Field({ description: 'Machine name.' })
  machine!: string;

  @Field(() => Float, { nullable: true })
  oee!: number | null;

  @Field(() => Float, { nullable: true })
  availability!: number | null;

  @Field(() => Float, { nullable: true })
  performance!: number | null;

  @Field(() => Float, { nullable: true })
  quality!: number | null;

  @Field(() => Float, { nullable: true, description: 'Percent.' })
  scrapRate!: number | null;
}

@ObjectType({ description: "The plant's targets and the machines' own." })
export class Targets {
  @Field(() => PlantTargets)
  plant!: PlantTargets;

  @Field(() => [MachineTargets], { description: 'Machines with targets of their own, by name.' })
  machines!: MachineTargets[];
}

@ObjectType({
  description: 'The scrap-rate target a scrap answer is held to, and whether it is kept.',
})
export class ScrapTarget {
  @Field(() => Float, { description: 'Scrap rate target in percent: met at or below it.' })
  scrapRate!: number;

  @Field({ description: "Whether the machine has targets of its own (else the plant's)." })
  own!: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Null without parts.' })
  met!: boolean | null;
}
