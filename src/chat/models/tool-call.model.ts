import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A tool the assistant ran to answer.' })
export class ToolCall {
  @Field({ description: 'Tool name, e.g. calculate_oee.' })
  name!: string;

  @Field({ description: 'The arguments the model sent, as JSON text.' })
  arguments!: string;

  @Field(() => Float, { description: 'How long the tool took, in milliseconds.' })
  durationMs!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Why the tool failed (sent back to the model), or null.',
  })
  error!: string | null;
}
