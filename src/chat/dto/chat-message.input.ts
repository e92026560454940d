import { Field, InputType } from '@nestjs/graphql';
import { CHAT_LIMITS, thousands } from '../chat.limits';
import { ChatRole } from '../models/chat-role.enum';

@InputType({ description: 'One earlier message of the conversation.' })
export class ChatMessageInput {
  @Field(() => ChatRole, { description: 'USER or ASSISTANT.' })
  role!: ChatRole;

  @Field({
    description: `Text: user messages up to ${thousands(CHAT_LIMITS.userChars)} characters, assistant messages up to ${thousands(CHAT_LIMITS.assistantChars)}.`,
  })
  content!: string;
}
