import { Field, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';
import { DowntimeEvent } from './downtime-event.model';
import { BigLoss, LossReason } from './losses.model';
import { MachineOee } from './machine-oee.model';
import { OeeFigures } from './oee-figures.model';

@ObjectType({
  description: 'One shift of a date: its figures, machines, largest losses and major events.',
})
export class ShiftReportShift extends OeeFigures {
  @Field({ description: 'Shift name.' })
  shift!: string;

  @Field(() => [MachineOee], { description: 'Each machine with production in the shift.' })
  machines!: MachineOee[];

  @Field(() => [BigLoss], {
    description: 'The largest of the six big losses with hours, most first (at most 3).',
  })
  topLosses!: BigLoss[];

  @Field(() => [LossReason], {
    description: 'The unplanned downtime reasons with most hours (at most 3).',
  })
  topReasons!: LossReason[];

  @Field(() => [DowntimeEvent], {
    description: 'Events longer than MAJOR_DOWNTIME_HOURS in the shift, longest first.',
  })
  majorEvents!: DowntimeEvent[];
}

@ObjectType({ description: "A date's shift report." })
export class ShiftReport {
  @Field(() => DateScalar)
  date!: string;

  @Field(() => [ShiftReportShift], { description: 'Every shift, in start order.' })
  shifts!: ShiftReportShift[];

  @Field(() => [DowntimeEvent], {
    description: 'Major events recorded without a shift (imported data may have them).',
  })
  majorEventsWithoutShift!: DowntimeEvent[];
}
