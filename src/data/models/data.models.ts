import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';

@ObjectType({ description: 'A machine (work center) of the plant.' })
export class Machine {
  @Field(() => ID, { description: 'Stable id.' })
  id!: number;

  @Field({ description: 'Unique name, e.g. CNC-001.' })
  name!: string;

  @Field({ description: 'Kind of machine, e.g. CNC Machining Center.' })
  type!: string;

  @Field(() => Float, {
    description: 'Ideal cycle time in seconds per part (the basis of Performance).',
  })
  idealCycleTime!: number;
}

@ObjectType({ description: 'A production shift.' })
export class Shift {
  @Field(() => ID, { description: 'Stable id.' })
  id!: number;

  @Field({ description: 'Name, e.g. Day.' })
  name!: string;

  @Field(() => Int, { description: 'Hour the shift starts (0-24).' })
  startHour!: number;

  @Field(() => Int, { description: 'Hour the shift ends (0-24).' })
  endHour!: number;
}

@ObjectType({ description: 'What data is stored.' })
export class DataStats {
  @Field({ description: 'Whether any production data exists.' })
  exists!: boolean;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'First day with data; null without data.',
  })
  startDate!: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'Last day with data; null without data.',
  })
  endDate!: string | null;

  @Field(() => Int, { description: 'Calendar days from startDate to endDate, both included.' })
  totalDays!: number;

  @Field(() => Int, { description: 'Days that have production records.' })
  daysWithData!: number;

  @Field(() => Int, { description: 'Machines.' })
  totalMachines!: number;

  @Field(() => Int, { description: 'Shifts.' })
  totalShifts!: number;

  @Field(() => Int, { description: 'Machine-days with production records.' })
  totalRecords!: number;
}

@ObjectType({ description: 'The range of days that have data.' })
export class DateRange {
  @Field(() => DateScalar, { description: 'First day with data.' })
  startDate!: string;

  @Field(() => DateScalar, { description: 'Last day with data.' })
  endDate!: string;

  @Field(() => Int, { description: 'Calendar days in the range, both ends included.' })
  totalDays!: number;
}

@ObjectType({ description: 'Outcome of generating demo data.' })
export class SetupResult {
  @Field({ description: 'What was done, in words.' })
  message!: string;

  @Field(() => Int, { description: 'Days generated.' })
  days!: number;

  @Field(() => DateScalar, { description: 'First day generated.' })
  startDate!: string;

  @Field(() => DateScalar, { description: 'Last day generated.' })
  endDate!: string;

  @Field(() => [String], { description: 'Names of the machines generated.' })
  machines!: string[];
}

@ObjectType({ description: 'The plant this server reports on.' })
export class Factory {
  @Field({ description: 'Display name (FACTORY_NAME).' })
  name!: string;

  @Field({ description: 'IANA time zone of the plant (FACTORY_TIMEZONE).' })
  timeZone!: string;

  @Field(() => DateScalar, { description: "Today's date in the plant's time zone." })
  today!: string;
}
