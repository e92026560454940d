import { registerEnumType } from '@nestjs/graphql';

export enum ChatRole {
  USER = 'user',
  ASSISTANT = 'assistant',
}

registerEnumType(ChatRole, {
  name: 'ChatRole',
  description: 'Who wrote a chat message. Clients can only send these two roles.',
  valuesMap: {
    USER: { description: 'The person asking.' },
    ASSISTANT: { description: "Factory Agent's answer." },
  },
});
