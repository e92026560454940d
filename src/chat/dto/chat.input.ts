import { Field, InputType } from '@nestjs/graphql';
import { ChatRole } from '../models/chat-role.enum';

@InputType({ description: 'One earlier message of the conversation.' })
export class ChatMessageInput {
  @Field(() => ChatRole, { description: 'USER or ASSISTANT.' })
  role!: ChatRole;

  @Field({
    description: 'Text: user messages up to 2,000 characters, assistant messages up to 20,000.',
  })
  content!: string;
}

@InputType({ description: 'A question, with the conversation so far.' })
export class ChatInput {
  @Field({ description: 'The question: 1-2,000 characters, not blank.' })
  message!: string;

  @Field(() => [ChatMessageInput], {
    nullable: true,
    defaultValue: [],
    description: 'Earlier messages, oldest first: at most 50 messages and 50,000 characters.',
  })
  history?: ChatMessageInput[] | null;
}
