import { Field, ObjectType } from '@nestjs/graphql';
import { ChatMessage } from './chat-message.model';
import { ToolCall } from './tool-call.model';

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
