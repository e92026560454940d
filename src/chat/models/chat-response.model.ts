import { Field, Float, ObjectType } from '@nestjs/graphql';
import { ChatRole } from './chat-role.enum';

@ObjectType({ description: 'One message of a conversation.' })
export class ChatMessage {
  @Field(() => ChatRole, { description: 'Who wrote it.' })
  role!: ChatRole;

  @Field({ description: 'The text.' })
  content!: string;
}

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

@ObjectType({ description: "The assistant's answer." })
export class ChatResponse {
  @Field({ description: 'The answer.' })
  response!: string;

  @Field(() => [ChatMessage], {
    description: 'The whole conversation including this turn, ready to send back as history.',
  })
  history!: ChatMessage[];

  @Field(() => [ToolCall], { description: 'Tools run for this answer, in order.' })
  toolCalls!: ToolCall[];

  @Field({ description: 'The model (or Azure deployment) that answered.' })
  model!: string;
}
