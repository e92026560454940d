import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { BadInputError, LlmNotConfiguredError } from '../common/errors';
import { LlmClient } from './llm/llm-client';

/** Formats the transcription endpoints accept. */
export const AUDIO_EXTENSIONS = [
  '.wav',
  '.mp3',
  '.m4a',
  '.mp4',
  '.mpeg',
  '.mpga',
  '.ogg',
  '.webm',
  '.flac',
];
/** The providers' upload limit for transcription. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

/** Speech in and out for the chat agent: validates audio files, transcribes, synthesises. */
@Injectable()
export class VoiceService {
  constructor(private readonly llm: LlmClient) {}

  /** Fails before any recording when no LLM provider is configured. */
  assertConfigured(): void {
    if (!this.llm.configured) throw new LlmNotConfiguredError();
  }

  /** Reads and checks an audio file, then transcribes it; the text is trimmed and never empty. */
  async transcribeFile(path: string): Promise<string> {
    const extension = extname(path).toLowerCase();
    if (!AUDIO_EXTENSIONS.includes(extension)) {
      throw new BadInputError(
        `Unsupported audio format "${extension || 'none'}" (${basename(path)}): use ${AUDIO_EXTENSIONS.join(', ')}`,
      );
    }
    const size = await stat(path).then(
      (s) => s.size,
      () => {
        throw new BadInputError(`Cannot read ${path}: no such file`);
      },
    );
    if (size === 0) throw new BadInputError(`The audio file ${basename(path)} is empty`);
    if (size > MAX_AUDIO_BYTES) {
      throw new BadInputError(
        `The audio file ${basename(path)} is ${(size / 1024 / 1024).toFixed(1)} MB; the provider accepts at most 25 MB`,
      );
    }
    const text = (await this.llm.transcribe(await readFile(path), basename(path))).trim();
    if (!text)
      throw new BadInputError(
        'No speech was recognised in the audio: try again, closer to the microphone',
      );
    return text;
  }

  speak(text: string): Promise<Buffer> {
    return this.llm.speak(text);
  }
}
