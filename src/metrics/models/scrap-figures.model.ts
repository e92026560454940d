import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';

/** The figures of every scrap breakdown row. */
@ObjectType({ isAbstract: true })
export abstract class ScrapFigures {
  @Field(() => CountScalar, { description: 'Defective parts.' })
  scrapParts!: number;

  @Field(() => CountScalar, { description: 'Parts produced.' })
  totalParts!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Scrap rate in percent (100 x scrap / parts, 2 decimals); null without parts.',
  })
  scrapRate!: number | null;
}
