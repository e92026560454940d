import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';

/** The figures every OEE answer carries (totals and each breakdown row). */
@ObjectType({ isAbstract: true })
export abstract class OeeFigures {
  @Field(() => Float, {
    nullable: true,
    description:
      'Availability x Performance x Quality (0-1, 4 decimals); null when a component is null.',
  })
  oee!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Run hours / planned busy hours; null when there was no planned busy time.',
  })
  availability!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Ideal cycle time x parts produced / run time; null without run time. Not capped: above 1 means an ideal cycle time is too long.',
  })
  performance!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Good parts / parts produced; null without parts.',
  })
  quality!: number | null;

  @Field(() => CountScalar, { description: 'Parts produced.' })
  totalParts!: number;

  @Field(() => CountScalar, { description: 'Parts that met quality standards.' })
  goodParts!: number;

  @Field(() => CountScalar, { description: 'Defective parts.' })
  scrapParts!: number;

  @Field(() => Float, { description: 'Planned production hours (run + downtime).' })
  plannedHours!: number;

  @Field(() => Float, {
    description: 'Planned hours minus planned downtime (reasons in PLANNED_DOWNTIME_REASONS).',
  })
  plannedBusyHours!: number;

  @Field(() => Float, { description: 'Hours the machines ran.' })
  runHours!: number;
}
