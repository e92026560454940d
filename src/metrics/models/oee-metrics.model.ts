import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { DateScalar } from '../../common/graphql/date.scalar';
import { MetricsFilter } from '../metrics.types';

@ObjectType({ isAbstract: true })
abstract class OeeFigures {
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

@ObjectType({ description: 'OEE of one machine over the range.' })
export class MachineOee extends OeeFigures {
  @Field({ description: 'Machine name.' })
  machine!: string;
}

@ObjectType({ description: 'OEE of one shift over the range, all selected machines together.' })
export class ShiftOee extends OeeFigures {
  @Field({ description: 'Shift name.' })
  shift!: string;
}

@ObjectType({ description: 'OEE of one day, all selected machines together.' })
export class DailyOee extends OeeFigures {
  @Field(() => DateScalar, { description: 'The day.' })
  date!: string;
}

@ObjectType({
  description:
    'Overall Equipment Effectiveness over a date range (both ends included), from sums of production rows.',
})
export class OeeMetrics extends OeeFigures {
  /** The request these figures answer; read by the breakdown field resolvers, not exposed. */
  filter!: MetricsFilter;
}
