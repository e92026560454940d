import { Injectable, Logger } from '@nestjs/common';
import type {
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import {
  BadInputError,
  ClientGoneError,
  DomainError,
  TooManyRequestsError,
} from '../common/errors';
import { clip } from '../common/text';
import { withOwnResources } from '../common/request-context';
import { AppConfig } from '../config/app-config.service';
import { CHAT_LIMITS } from './chat.limits';
import { ChatPrompt } from './chat.prompt';
import { MetricTools } from '../tools/metric-tools';
import { LlmClient, TokenUsage } from './llm/llm-client';
import { ChatRole } from './models/chat-role.enum';
import { injectionPatterns, sanitize } from './sanitize';

export interface ChatTurn {
  role: ChatRole;
  content: string;
}

export interface ToolCallRecord {
  name: string;
  arguments: string;
  durationMs: number;
  error: string | null;
}

export interface ChatAnswer {
  response: string;
  history: ChatTurn[];
  toolCalls: ToolCallRecord[];
  model: string;
}

/** A streamed event of a chat turn (see ChatService.chatStream). */
export type ChatStreamEvent =
  | { type: 'TOOL_CALL'; toolName: string; arguments: string }
  | {
      type: 'TOOL_RESULT';
      toolName: string;
      summary: string;
      error: string | null;
      durationMs: number;
    }
  | { type: 'DELTA'; text: string }
  | ({ type: 'DONE'; usage: TokenUsage } & ChatAnswer)
  | { type: 'ERROR'; code: string; message: string; retryAfterSeconds: number | null };

/** Characters of a tool's result shown in its TOOL_RESULT event. */
const RESULT_SUMMARY_CHARS = 300;

const FALLBACK_ANSWER =
  'I could not produce an answer from the data. Please rephrase the question.';

/**
 * The agent: the model answers by calling the metrics as tools, at most CHAT_MAX_TOOL_ROUNDS
 * rounds; parallel calls in a round run concurrently; when the cap is hit the model is asked once
 * more without tools, so the user still gets an answer.
 */
@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);

  constructor(
    private readonly llm: LlmClient,
    private readonly tools: MetricTools,
    private readonly prompt: ChatPrompt,
    private readonly config: AppConfig,
  ) {}

  async chat(message: string, history: ChatTurn[] = []): Promise<ChatAnswer> {
    const turn = this.turn(message, history, null);
    for (;;) {
      const step = await turn.next();
      if (step.done) return step.value.answer;
    }
  }

  /**
   * The same turn, streamed: each tool call as the model makes it, each result's summary, the
   * answer's text as it is written, and a final DONE event with the whole answer, the history and
   * the token usage, or a final ERROR event with the code the mutation would give. `signal` aborts
   * the LLM request when the client goes away.
   */
  async *chatStream(
    message: string,
    history: ChatTurn[],
    signal: AbortSignal,
  ): AsyncGenerator<ChatStreamEvent> {
    try {
      const { answer, usage } = yield* this.turn(message, history, signal);
      yield { type: 'DONE', ...answer, usage };
    } catch (error) {
      yield errorEvent(error, this.logger);
    }
  }

  /** A question answered in tool rounds; streamed when `signal` is given. */
  private async *turn(
    message: string,
    history: ChatTurn[],
    signal: AbortSignal | null,
  ): AsyncGenerator<ChatStreamEvent, { answer: ChatAnswer; usage: TokenUsage }> {
    const question = this.checkInput(message, history);
    const cleanHistory = history.map((turn) => ({
      role: turn.role,
      content: sanitize(turn.content),
    }));
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: await withOwnResources(() => this.prompt.build()) },
      ...cleanHistory,
      { role: 'user', content: question },
    ];
    const toolCalls: ToolCallRecord[] = [];
    const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    const tools = this.tools.openAiTools();

    for (let round = 0; round < this.config.chatMaxToolRounds; round++) {
      const reply = yield* this.ask(messages, tools, signal, usage);
      if (!reply.tool_calls?.length) {
        return { answer: this.answer(reply.content, question, cleanHistory, toolCalls), usage };
      }
      messages.push({
        role: 'assistant',
        content: reply.content ?? null,
        tool_calls: reply.tool_calls,
      });
      const calls = reply.tool_calls;
      for (const call of calls) {
        const { name, args } = callOf(call);
        yield { type: 'TOOL_CALL', toolName: name, arguments: args };
      }
      // One snapshot per round, shared by its parallel calls and released before the next model
      // call: no database connection is held while the model thinks, and a round of many calls
      // takes one connection, not one each.
      const results = await withOwnResources(() =>
        Promise.all(calls.map((call) => this.runTool(call))),
      );
      for (const { record, message: toolMessage } of results) {
        toolCalls.push(record);
        messages.push(toolMessage);
        yield {
          type: 'TOOL_RESULT',
          toolName: record.name,
          summary: clip(toolMessage.content as string, RESULT_SUMMARY_CHARS),
          error: record.error,
          durationMs: record.durationMs,
        };
      }
    }
    this.logger.warn(
      `Tool round limit (${this.config.chatMaxToolRounds}) reached; asking for an answer without tools`,
    );
    const final = yield* this.ask(messages, undefined, signal, usage);
    return { answer: this.answer(final.content, question, cleanHistory, toolCalls), usage };
  }

  /** One model call: whole, or streamed as DELTA events (its usage added to `usage`). */
  private async *ask(
    messages: ChatCompletionMessageParam[],
    tools: ChatCompletionTool[] | undefined,
    signal: AbortSignal | null,
    usage: TokenUsage,
  ): AsyncGenerator<ChatStreamEvent, ChatCompletionMessage> {
    if (!signal) return this.llm.complete(messages, tools);
    if (signal.aborted) throw new ClientGoneError();
    const stream = this.llm.stream(messages, tools, signal);
    for (;;) {
      const step = await stream.next();
      if (step.done) {
        usage.promptTokens += step.value.usage.promptTokens;
        usage.completionTokens += step.value.usage.completionTokens;
        usage.totalTokens += step.value.usage.totalTokens;
        return step.value.message;
      }
      yield { type: 'DELTA', text: step.value };
    }
  }

  private answer(
    content: string | null | undefined,
    question: string,
    history: ChatTurn[],
    toolCalls: ToolCallRecord[],
  ): ChatAnswer {
    const response = content?.trim() || FALLBACK_ANSWER;
    return {
      response,
      history: [
        ...history,
        { role: ChatRole.USER, content: question },
        { role: ChatRole.ASSISTANT, content: response },
      ],
      toolCalls,
      model: this.llm.model ?? '',
    };
  }

  private async runTool(
    call: ChatCompletionMessageToolCall,
  ): Promise<{ record: ToolCallRecord; message: ChatCompletionMessageParam }> {
    const started = performance.now();
    const { name, args } = callOf(call);
    const { result, error } = await this.tools.run(name, args);
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    return {
      record: { name, arguments: args, durationMs, error },
      message: { role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) },
    };
  }

  /** Validates the limits, sanitizes the question and applies PROMPT_INJECTION_MODE. */
  private checkInput(message: string, history: ChatTurn[]): string {
    const question = sanitize(message);
    if (question.length === 0) throw new BadInputError('message must not be blank');
    if (message.length > CHAT_LIMITS.messageChars) {
      throw new BadInputError(
        `message is ${message.length} characters; at most ${CHAT_LIMITS.messageChars} are allowed`,
      );
    }
    if (history.length > CHAT_LIMITS.historyMessages) {
      throw new BadInputError(
        `history has ${history.length} messages; at most ${CHAT_LIMITS.historyMessages} are allowed`,
      );
    }
    const total = history.reduce((n, turn) => n + turn.content.length, 0);
    if (total > CHAT_LIMITS.historyChars) {
      throw new BadInputError(
        `history has ${total} characters; at most ${CHAT_LIMITS.historyChars} are allowed`,
      );
    }
    history.forEach((turn, index) => {
      const limit =
        turn.role === ChatRole.USER ? CHAT_LIMITS.userChars : CHAT_LIMITS.assistantChars;
      if (turn.content.length > limit) {
        throw new BadInputError(
          `history[${index}] (${turn.role}) is ${turn.content.length} characters; at most ${limit} are allowed`,
        );
      }
    });
    // Every turn the client sends is checked, after the same cleaning the model will see: the
    // client writes assistant turns too, and control characters must not split a pattern.
    const texts = [question, ...history.map((turn) => sanitize(turn.content))];
    const found = [...new Set(texts.flatMap(injectionPatterns))];
    if (found.length > 0) {
      if (this.config.promptInjectionMode === 'block') {
        throw new BadInputError(
          'The message was refused: it contains instructions aimed at the assistant rather than a question.',
        );
      }
      // The pattern names only: message content is never logged at this level.
      this.logger.warn(
        `Possible prompt injection (${found.join(', ')}); answering anyway (PROMPT_INJECTION_MODE=log)`,
      );
    }
    return question;
  }
}

function callOf(call: ChatCompletionMessageToolCall): { name: string; args: string } {
  return call.type === 'function'
    ? { name: call.function.name, args: call.function.arguments }
    : { name: call.type, args: '' };
}

/** The final event of a failed turn: an expected error with its code, anything else as internal. */
export function errorEvent(error: unknown, logger: Logger): ChatStreamEvent {
  if (error instanceof DomainError) {
    return {
      type: 'ERROR',
      code: error.code,
      message: error.message,
      retryAfterSeconds: error instanceof TooManyRequestsError ? error.retryAfterSeconds : null,
    };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return {
    type: 'ERROR',
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Internal server error',
    retryAfterSeconds: null,
  };
}
