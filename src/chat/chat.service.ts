import { Injectable, Logger } from '@nestjs/common';
import type {
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';
import { BadInputError } from '../common/errors';
import { withOwnResources } from '../common/request-context';
import { AppConfig } from '../config/app-config.service';
import { CHAT_LIMITS } from './chat.limits';
import { ChatPrompt } from './chat.prompt';
import { MetricTools } from '../tools/metric-tools';
import { LlmClient } from './llm/llm-client';
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

    for (let round = 0; round < this.config.chatMaxToolRounds; round++) {
      const reply = await this.llm.complete(messages, this.tools.openAiTools());
      if (!reply.tool_calls?.length)
        return this.answer(reply.content, question, cleanHistory, toolCalls);
      messages.push({
        role: 'assistant',
        content: reply.content ?? null,
        tool_calls: reply.tool_calls,
      });
      // One snapshot per round, shared by its parallel calls and released before the next model
      // call: no database connection is held while the model thinks, and a round of many calls
      // takes one connection, not one each.
      const calls = reply.tool_calls;
      const results = await withOwnResources(() =>
        Promise.all(calls.map((call) => this.runTool(call))),
      );
      for (const { record, message: toolMessage } of results) {
        toolCalls.push(record);
        messages.push(toolMessage);
      }
    }
    this.logger.warn(
      `Tool round limit (${this.config.chatMaxToolRounds}) reached; asking for an answer without tools`,
    );
    const final = await this.llm.complete(messages);
    return this.answer(final.content, question, cleanHistory, toolCalls);
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
    const { name, args } =
      call.type === 'function'
        ? { name: call.function.name, args: call.function.arguments }
        : { name: call.type, args: '' };
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
