import { Field, ObjectType } from '@nestjs/graphql';
import { OeeFigures } from './oee-figures.model';

@ObjectType({ description: 'OEE of one machine over the range.' })
export class MachineOee extends OeeFigures {
  @Field({ description: 'Machine name.' })
  machine!: string;
}
