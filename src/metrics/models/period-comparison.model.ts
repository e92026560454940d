import { Field, Float, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';

@ObjectType({ isAbstract: true })
abstract class Figures {
  @Field(() => Float, { nullable: true, description: 'OEE (0-1).' })
  oee!: number | null;

  @Field(() => Float, { nullable: true, description: 'Availability (0-1).' })
  availability!: number | null;

  @Field(() => Float, { nullable: true, description: 'Performance (0-1, not capped).' })
  performance!: number | null;

  @Field(() => Float, { nullable: true, description: 'Quality (0-1).' })
  quality!: number | null;

  @Field(() => Float, { nullable: true, description: 'Scrap rate in percent.' })
  scrapRate!: number | null;
}

@ObjectType({ description: 'The figures of one period.' })
export class PeriodFigures extends Figures {
  @Field(() => Float, { description: 'Recorded downtime hours.' })
  downtimeHours!: number;

  @Field(() => Float, { description: 'Downtime - planned downtime.' })
  unplannedDowntimeHours!: number;
}

@ObjectType({
  description:
    'Current - previous for each figure (ratios to 4 decimals, percent and hours to 2); null when either is null. For downtime and scrap, negative is better.',
})
export class PeriodChange extends Figures {
  @Field(() => Float, { nullable: true })
  downtimeHours!: number | null;

  @Field(() => Float, { nullable: true })
  unplannedDowntimeHours!: number | null;
}

@ObjectType({
  description: 'A date range against the one just before it of the same length.',
})
export class PeriodComparison {
  @Field(() => DateScalar)
  startDate!: string;

  @Field(() => DateScalar)
  endDate!: string;

  @Field(() => DateScalar, { description: 'First day of the previous period.' })
  previousStartDate!: string;

  @Field(() => DateScalar, {
    description: 'Last day of the previous period (the day before startDate).',
  })
  previousEndDate!: string;

  @Field(() => PeriodFigures)
  current!: PeriodFigures;

  @Field(() => PeriodFigures)
  previous!: PeriodFigures;

  @Field(() => PeriodChange)
  change!: PeriodChange;
}
