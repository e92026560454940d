import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';

const SHARE =
  'Parts affected by this row and every one before it, over all of them (0-1; of issues when none affected a part).';

@ObjectType({ isAbstract: true })
abstract class DefectShare {
  @Field(() => CountScalar, { description: 'Number of issues.' })
  count!: number;

  @Field(() => CountScalar, { description: 'Parts affected.' })
  partsAffected!: number;

  @Field(() => Float, { description: SHARE })
  cumulativeShare!: number;
}

@ObjectType({ description: 'Quality issues of one defect type (a row of the defect Pareto).' })
export class DefectType extends DefectShare {
  @Field({ description: 'Defect type, e.g. surface.' })
  type!: string;
}

@ObjectType({ description: 'Quality issues of one machine (a row of the defect Pareto).' })
export class MachineDefects extends DefectShare {
  @Field({ description: 'Machine name.' })
  machine!: string;
}

const DOWNTIME_SHARE =
  'Unplanned hours of this row and every one before it, over all of them (0-1).';

@ObjectType({ isAbstract: true })
abstract class DowntimeShare {
  @Field(() => Float, { description: 'Recorded downtime hours.' })
  downtimeHours!: number;

  @Field(() => Float, { description: 'Planned downtime hours.' })
  plannedDowntimeHours!: number;

  @Field(() => Float, { description: 'Downtime - planned downtime.' })
  unplannedDowntimeHours!: number;

  @Field(() => Float, { description: DOWNTIME_SHARE })
  cumulativeShare!: number;
}

@ObjectType({ description: 'Downtime of one machine (a row of the Pareto by machine).' })
export class MachineDowntime extends DowntimeShare {
  @Field({ description: 'Machine name.' })
  machine!: string;
}

@ObjectType({ description: 'Downtime of one shift (a row of the Pareto by shift).' })
export class ShiftDowntime extends DowntimeShare {
  @Field({ description: 'Shift name.' })
  shift!: string;
}
