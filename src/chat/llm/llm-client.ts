import { Injectable, Logger } from '@nestjs/common';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  AzureOpenAI,
  PermissionDeniedError,
  toFile,
} from 'openai';
import type {
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { LlmNotConfiguredError, LlmUnavailableError } from '../../common/errors';
import { AppConfig, LlmSettings } from '../../config/app-config.service';

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
  return 'the LLM request failed';
}
