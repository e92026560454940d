import { Injectable, Logger } from '@nestjs/common';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  AzureOpenAI,
  PermissionDeniedError,
  toFile,
} from 'openai';
import type {
  ChatCompletionMessage,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { ClientGoneError, LlmNotConfiguredError, LlmUnavailableError } from '../../common/errors';
import { AppConfig, LlmSettings } from '../../config/app-config.service';

/** Tokens a completion used, as the provider reports them (0 when it does not). */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** A streamed completion's whole message, put together from its deltas, and its usage. */
export interface StreamedCompletion {
  message: ChatCompletionMessage;
  usage: TokenUsage;
}

/**
 * The one LLM client: OpenAI, any OpenAI-compatible server (OPENAI_BASE_URL) or Azure OpenAI,
 * through the `openai` package. The package retries 429 and 5xx with exponential backoff
 * (LLM_MAX_RETRIES) and enforces LLM_TIMEOUT_MS per attempt.
 */
@Injectable()
export class LlmClient {
  private readonly logger = new Logger(LlmClient.name);
  private readonly client: OpenAI | null;
  private readonly settings: LlmSettings | null;
  readonly model: string | null;

  constructor(config: AppConfig) {
    const llm = config.llm;
    this.settings = llm;
    this.model = llm?.model ?? null;
    if (!llm) {
      this.client = null;
    } else if (llm.provider === 'azure') {
      // No fixed deployment: each call's model names its deployment (chat, speech-to-text, speech).
      this.client = new AzureOpenAI({
        endpoint: llm.endpoint,
        apiKey: llm.apiKey,
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
    const { client, settings } = this.ready();
    try {
      const completion = await client.chat.completions.create({
        model: settings.model,
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

  /**
   * One completion streamed (server-sent events): yields the answer's text as it is written and
   * returns the whole message, tool calls put together from their deltas (which may be split
   * across any number of chunks), with the token usage. `signal` aborts the request: a client
   * that went away pays for no more tokens.
   */
  async *stream(
    messages: ChatCompletionMessageParam[],
    tools: ChatCompletionTool[] | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<string, StreamedCompletion> {
    const { client, settings } = this.ready();
    let content = '';
    const calls: ChatCompletionMessageFunctionToolCall[] = [];
    const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    let finished = false;
    try {
      const chunks = await client.chat.completions.create(
        {
          model: settings.model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(tools ? { tools, tool_choice: 'auto' as const, parallel_tool_calls: true } : {}),
        },
        { signal },
      );
      for await (const chunk of chunks) {
        if (chunk.usage) {
          usage.promptTokens = chunk.usage.prompt_tokens;
          usage.completionTokens = chunk.usage.completion_tokens;
          usage.totalTokens = chunk.usage.total_tokens;
        }
        if (chunk.choices[0]?.finish_reason) finished = true;
        const delta = chunk.choices[0]?.delta;
        if (delta?.content) {
          content += delta.content;
          yield delta.content;
        }
        for (const part of delta?.tool_calls ?? []) {
          const call = (calls[part.index] ??= {
            id: '',
            type: 'function',
            function: { name: '', arguments: '' },
          });
          if (part.id) call.id = part.id;
          if (part.function?.name) call.function.name += part.function.name;
          if (part.function?.arguments) call.function.arguments += part.function.arguments;
        }
      }
    } catch (error) {
      if (error instanceof APIUserAbortError || signal.aborted) {
        throw new ClientGoneError();
      }
      throw this.unavailable(error);
    }
    // The SDK ends an aborted stream quietly: the client went away, the LLM is not to blame.
    if (signal.aborted) throw new ClientGoneError();
    // A stream that ends without saying why it ended was cut: its answer or tool call is partial.
    if (!finished) throw this.unavailable(new StreamCutError());
    const toolCalls = calls.filter(Boolean);
    return {
      message: {
        role: 'assistant',
        content: content || null,
        refusal: null,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
      usage,
    };
  }

  /** Speech to text with the provider's transcription endpoint (VOICE_STT_MODEL). */
  async transcribe(audio: Buffer, fileName: string): Promise<string> {
    const { client, settings } = this.ready();
    try {
      const result = await client.audio.transcriptions.create({
        file: await toFile(audio, fileName),
        model: settings.sttModel,
      });
      return result.text;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** Text to speech (VOICE_TTS_MODEL, VOICE_NAME); returns MP3 bytes. */
  async speak(text: string): Promise<Buffer> {
    const { client, settings } = this.ready();
    try {
      const response = await client.audio.speech.create({
        model: settings.ttsModel,
        voice: settings.voice,
        input: text,
        response_format: 'mp3',
      });
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private ready(): { client: OpenAI; settings: LlmSettings } {
    if (!this.client || !this.settings) throw new LlmNotConfiguredError();
    return { client: this.client, settings: this.settings };
  }

  /** Upstream failures become LLM_UNAVAILABLE without the upstream body or any key. */
  private unavailable(error: unknown): Error {
    if (error instanceof LlmUnavailableError) return error;
    const reason = llmFailureReason(error);
    this.logger.warn(`LLM request failed: ${reason}`);
    return new LlmUnavailableError(`The assistant is unavailable: ${reason}. Try again later.`);
  }
}

/** Why an LLM request failed, in words a user can act on; never the upstream body or a key. */
export function llmFailureReason(error: unknown): string {
  if (error instanceof APIConnectionTimeoutError) return 'the LLM did not answer in time';
  if (error instanceof APIConnectionError) return 'the LLM server could not be reached';
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return 'the LLM server rejected our credentials (check the API key)';
  }
  if (error instanceof APIError) {
    return `the LLM server answered with status ${error.status ?? 'unknown'}`;
  }
  if (error instanceof StreamCutError) return 'the answer stopped before it was complete';
  return 'the LLM request failed';
}

/** A streamed completion that ended without a finish reason. */
class StreamCutError extends Error {}
