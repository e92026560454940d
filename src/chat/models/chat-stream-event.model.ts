import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ChatMessage } from './chat-message.model';
import { ToolCall } from './tool-call.model';

export enum ChatStreamEventType {
  TOOL_CALL = 'TOOL_CALL',
  TOOL_RESULT = 'TOOL_RESULT',
  DELTA = 'DELTA',
  DONE = 'DONE',
  ERROR = 'ERROR',
}

registerEnumType(ChatStreamEventType, {
  name: 'ChatStreamEventType',
  description:
    'TOOL_CALL: the model called a tool (toolName, arguments). TOOL_RESULT: its result (toolName, summary, error, durationMs). DELTA: answer text as written (text). DONE (last): the whole answer (response, history, toolCalls, model, usage). ERROR (last): code and message, as the chat mutation would give them.',
});

@ObjectType({ description: 'Tokens the answer used, as the LLM provider reports them.' })
export class TokenUsage {
  @Field(() => Int)
  promptTokens!: number;

  @Field(() => Int)
  completionTokens!: number;

  @Field(() => Int)
  totalTokens!: number;
}

@ObjectType({
  description: 'One event of a streamed answer; which fields are set depends on `type`.',
})
export class ChatStreamEvent {
  @Field(() => ChatStreamEventType)
  type!: ChatStreamEventType;

  @Field(() => String, { nullable: true, description: 'TOOL_CALL, TOOL_RESULT: the tool.' })
  toolName?: string;

  @Field(() => String, {
    nullable: true,
    description: 'TOOL_CALL: the arguments the model sent, as JSON text.',
  })
  arguments?: string;

  @Field(() => String, {
    nullable: true,
    description: "TOOL_RESULT: the start of the tool's JSON result (300 characters).",
  })
  summary?: string;

  @Field(() => String, { nullable: true, description: 'TOOL_RESULT: why the tool failed.' })
  error?: string | null;

  @Field(() => Float, { nullable: true, description: 'TOOL_RESULT: milliseconds.' })
  durationMs?: number;

  @Field(() => String, { nullable: true, description: 'DELTA: the next piece of answer text.' })
  text?: string;

  @Field(() => String, { nullable: true, description: 'DONE: the whole answer.' })
  response?: string;

  @Field(() => [ChatMessage], {
    nullable: true,
    description: 'DONE: the conversation including this turn, ready to send back as history.',
  })
  history?: ChatMessage[];

  @Field(() => [ToolCall], { nullable: true, description: 'DONE: the tools run, in order.' })
  toolCalls?: ToolCall[];

  @Field(() => String, { nullable: true, description: 'DONE: the model that answered.' })
  model?: string;

  @Field(() => TokenUsage, { nullable: true, description: 'DONE: tokens used by all rounds.' })
  usage?: TokenUsage;

  @Field(() => String, {
    nullable: true,
    description:
      'ERROR: LLM_NOT_CONFIGURED, LLM_UNAVAILABLE, TOO_MANY_REQUESTS, UNAUTHENTICATED, BAD_USER_INPUT, ...',
  })
  code?: string;

  @Field(() => String, { nullable: true, description: 'ERROR: what went wrong.' })
  message?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'ERROR (TOO_MANY_REQUESTS): seconds to wait before asking again.',
  })
  retryAfterSeconds?: number | null;
}
