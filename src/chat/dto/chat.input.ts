import { Field, InputType } from '@nestjs/graphql';
import { CHAT_LIMITS, thousands } from '../chat.limits';
import { ChatMessageInput } from './chat-message.input';

@InputType({ description: 'A question, with the conversation so far.' })
export class ChatInput {
  @Field({
    description: `The question: 1-${thousands(CHAT_LIMITS.messageChars)} characters, not blank.`,
  })
  message!: string;

  @Field(() => [ChatMessageInput], {
    nullable: true,
    defaultValue: [],
    description: `Earlier messages, oldest first: at most ${CHAT_LIMITS.historyMessages} messages and ${thousands(CHAT_LIMITS.historyChars)} characters.`,
  })
  history?: ChatMessageInput[] | null;
}
