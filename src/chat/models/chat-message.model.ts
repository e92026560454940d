import { Field, ObjectType } from '@nestjs/graphql';
import { ChatRole } from './chat-role.enum';

@ObjectType({ description: 'One message of a conversation.' })
export class ChatMessage {
  @Field(() => ChatRole, { description: 'Who wrote it.' })
  role!: ChatRole;

  @Field({ description: 'The text.' })
  content!: string;
}
