import { Field, ObjectType } from '@nestjs/graphql';
import { ScrapFigures } from './scrap-figures.model';

@ObjectType({ description: 'Scrap of one machine over the range.' })
export class MachineScrap extends ScrapFigures {
  @Field({ description: 'Machine name.' })
  machine!: string;
}
