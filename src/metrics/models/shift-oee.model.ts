import { Field, ObjectType } from '@nestjs/graphql';
import { OeeFigures } from './oee-figures.model';

@ObjectType({ description: 'OEE of one shift over the range, all selected machines together.' })
export class ShiftOee extends OeeFigures {
  @Field({ description: 'Shift name.' })
  shift!: string;
}
