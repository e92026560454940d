import { Injectable, Logger } from '@nestjs/common';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  AzureOpenAI,
  PermissionDeniedError,
} from 'openai';
import type {
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { LlmNotConfiguredError, LlmUnavailableError } from '../../common/errors';
import { AppConfig } from '../../config/app-config.service';

/**
 * The one LLM client: OpenAI, any OpenAI-compatible server (OPENAI_BASE_URL) or Azure OpenAI,
 * through the `openai` package. The package retries 429 and 5xx with exponential backoff
 * (LLM_MAX_RETRIES) and enforces LLM_TIMEOUT_MS per attempt.
 */
@Injectable()
export class LlmClient {
  private readonly logger = new Logger(LlmClient.name);
  private readonly client: OpenAI | null;
  readonly model: string | null;

  constructor(config: AppConfig) {
    const llm = config.llm;
    this.model = llm?.model ?? null;
    if (!llm) {
      this.client = null;
    } else if (llm.provider === 'azure') {
      this.client = new AzureOpenAI({
        endpoint: llm.endpoint,
        apiKey: llm.apiKey,
        deployment: llm.deployment,
        apiVersion: llm.apiVersion,
        timeout: llm.timeoutMs,
        maxRetries: llm.maxRetries,
      });
    } else {
      this.client = new OpenAI({
        // Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) need no key.
        apiKey: llm.apiKey ?? 'not-needed',
        baseURL: llm.baseUrl,
        timeout: llm.timeoutMs,
        maxRetries: llm.maxRetries,
      });
    }
  }

  get configured(): boolean {
    return this.client !== null;
  }

  /** One completion; `tools` omitted asks for a plain answer. */
  async complete(
    messages: ChatCompletionMessageParam[],
    tools?: ChatCompletionTool[],
  ): Promise<ChatCompletionMessage> {
    if (!this.client || !this.model) throw new LlmNotConfiguredError();
    try {
      const completion = await this.client.chat.completions.create({
        model: this.model,
        messages,
        ...(tools ? { tools, tool_choice: 'auto' as const, parallel_tool_calls: true } : {}),
      });
      const message = completion.choices[0]?.message;
      if (!message) throw new LlmUnavailableError('The LLM returned no answer.');
      return message;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** Upstream failures become LLM_UNAVAILABLE without the upstream body or any key. */
  private unavailable(error: unknown): Error {
    if (error instanceof LlmUnavailableError) return error;
    const reason =
      error instanceof APIConnectionTimeoutError
        ? 'the LLM did not answer in time'
        : error instanceof APIConnectionError
          ? 'the LLM server could not be reached'
          : error instanceof AuthenticationError || error instanceof PermissionDeniedError
            ? 'the LLM server rejected our credentials (check the API key)'
            : error instanceof APIError
              ? `the LLM server answered with status ${error.status ?? 'unknown'}`
              : 'the LLM request failed';
    this.logger.warn(`LLM request failed: ${reason}`);
    return new LlmUnavailableError(`The assistant is unavailable: ${reason}. Try again later.`);
  }
}
