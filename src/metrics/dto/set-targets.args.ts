import { ArgsType, Field, Float } from '@nestjs/graphql';

const RATIO = 'A ratio 0-1; null: clear; omitted: unchanged.';

@ArgsType()
export class SetPlantTargetsArgs {
  @Field(() => Float, { nullable: true, description: `OEE target. ${RATIO}` })
  oee?: number | null;

  @Field(() => Float, { nullable: true, description: `Availability target. ${RATIO}` })
  availability?: number | null;

  @Field(() => Float, { nullable: true, description: `Performance target. ${RATIO}` })
  performance?: number | null;

  @Field(() => Float, { nullable: true, description: `Quality target. ${RATIO}` })
  quality?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Scrap rate target in percent, 0-100; null: clear; omitted: unchanged.',
  })
  scrapRate?: number | null;
}

@ArgsType()
export class SetMachineTargetsArgs extends SetPlantTargetsArgs {
  @Field({ description: 'Machine name (case-insensitive).' })
  machine!: string;
}
