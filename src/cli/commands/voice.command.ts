import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface, Interface } from 'node:readline/promises';
import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { ChatService, ChatTurn } from '../../chat/chat.service';
import { VoiceService } from '../../chat/voice.service';
import { BadInputError, DomainError } from '../../common/errors';
import { printAnswerText, printToolCalls } from '../output';
import { wholeNumber, WithApp } from '../with-app';

const EXIT_WORDS = new Set(['exit', 'quit']);
const PLAYERS = [
  ['aplay', []],
  ['paplay', []],
  ['ffplay', ['-nodisp', '-autoexit', '-loglevel', 'quiet']],
  ['afplay', []],
] as const;

interface VoiceOptions {
  input?: string;
  output?: string;
  seconds: number;
  speak: boolean;
}

/** The first of `names` found on the PATH. */
function findProgram(names: readonly string[]): string | null {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return name;
      } catch {
        // not in this directory
      }
    }
  }
  return null;
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

/** No way to record: the voice session cannot go on (unlike a turn that failed). */
class NoRecorderError extends BadInputError {}

function requireRecorder(): string {
  const recorder = findProgram(['arecord', 'rec']);
  if (!recorder) {
    throw new NoRecorderError(
      'No audio recorder found: install alsa-utils (arecord) or sox (rec), or pass a file with --input',
    );
  }
  return recorder;
}

/** Records up to `seconds` from the default microphone, or until Enter, with arecord or sox's rec. */
async function record(
  terminal: Interface,
  recorder: string,
  seconds: number,
  file: string,
): Promise<void> {
  const args =
    recorder === 'arecord'
      ? ['-q', '-f', 'S16_LE', '-r', '16000', '-c', '1', '-d', String(seconds), file]
      : ['-q', '-r', '16000', '-c', '1', file, 'trim', '0', String(seconds)];
  const child = spawn(recorder, args, { stdio: 'ignore' });
  process.stdout.write(`Recording for up to ${seconds} s; press Enter to stop.\n`);
  // Enter stops the recorder; when it stops by itself, the pending prompt is withdrawn.
  const enter = new AbortController();
  terminal.question('', { signal: enter.signal }).then(
    () => child.kill('SIGINT'),
    () => undefined,
  );
  await waitForExit(child);
  enter.abort();
}

async function play(audio: Buffer, directory: string): Promise<void> {
  const player = PLAYERS.find(([name]) => findProgram([name]));
  if (!player) {
    process.stdout.write(
      '(No audio player found: install alsa-utils, pulseaudio-utils or ffmpeg, or use --output.)\n',
    );
    return;
  }
  const file = join(directory, 'answer.mp3');
  await writeFile(file, audio);
  await waitForExit(spawn(player[0], [...player[1], file], { stdio: 'ignore' }));
}

/** One spoken turn: question text in, answer printed (with tools) and spoken or saved. */
async function answer(
  app: INestApplicationContext,
  question: string,
  history: ChatTurn[],
  options: VoiceOptions,
  directory: string,
) {
  printAnswerText('You: ', question);
  const reply = await app.get(ChatService).chat(question, history);
  printToolCalls(reply.toolCalls);
  printAnswerText('Assistant: ', reply.response);
  if (options.speak) {
    const audio = await app.get(VoiceService).speak(reply.response);
    if (options.output) {
      await writeFile(options.output, audio);
      process.stdout.write(`(Answer saved to ${options.output}.)\n`);
    } else {
      await play(audio, directory);
    }
  }
  return reply.history;
}

const isExit = (text: string) => EXIT_WORDS.has(text.toLowerCase().replace(/[^a-z]/g, ''));

/** Asks for a typed question or Enter; null at Ctrl-D. */
async function prompt(terminal: Interface): Promise<string | null> {
  try {
    return (
      await terminal.question('Press Enter and speak, or type a question (exit to leave): ')
    ).trim();
  } catch {
    return null; // Ctrl-D
  }
}

/** The question of one turn: the typed line, or a recording transcribed; null to leave. */
async function question(
  app: INestApplicationContext,
  terminal: Interface,
  typed: string,
  options: VoiceOptions,
  file: string,
): Promise<string | null> {
  if (typed) return typed;
  // Without a recorder there is no voice session: that ends the command.
  const recorder = requireRecorder();
  await record(terminal, recorder, options.seconds, file);
  const heard = await app.get(VoiceService).transcribeFile(file);
  return isExit(heard) ? null : heard;
}

/** Turns until "exit" (typed or heard) or Ctrl-D; a failed turn is reported and the session goes on. */
async function session(
  app: INestApplicationContext,
  options: VoiceOptions,
  directory: string,
): Promise<void> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  let history: ChatTurn[] = [];
  try {
    for (let turn = 1; ; turn++) {
      const typed = await prompt(terminal);
      if (typed === null || isExit(typed)) break;
      try {
        const asked = await question(
          app,
          terminal,
          typed,
          options,
          join(directory, `question-${turn}.wav`),
        );
        if (asked === null) break;
        history = await answer(app, asked, history, options, directory);
      } catch (error) {
        if (!isRecoverable(error)) throw error;
        process.stdout.write(`Error: ${(error as DomainError).message}\n`);
      }
    }
  } finally {
    terminal.close();
  }
}

/** A turn that fails (nothing heard, upstream down) does not end the session; no recorder or LLM does. */
function isRecoverable(error: unknown): boolean {
  return (
    error instanceof DomainError &&
    error.code !== 'LLM_NOT_CONFIGURED' &&
    !(error instanceof NoRecorderError)
  );
}

export function registerVoiceCommand(program: Command, withApp: WithApp): void {
  program
    .command('voice')
    .description(
      'Ask by voice: record (or --input a file), transcribe, answer with the chat agent, speak the answer',
    )
    .option('--input <file>', 'audio file with the question (wav, mp3, m4a, ...): one turn')
    .option('--seconds <n>', 'longest recording, in seconds', wholeNumber, 5)
    .option('--output <file>', 'save the spoken answer (MP3) instead of playing it')
    .option('--no-speak', 'print the answer only')
    .action((options: VoiceOptions) =>
      withApp(async (app) => {
        const voice = app.get(VoiceService);
        voice.assertConfigured();
        const directory = mkdtempSync(join(tmpdir(), 'factory-agent-voice-'));
        try {
          if (options.input) {
            await answer(app, await voice.transcribeFile(options.input), [], options, directory);
          } else {
            await session(app, options, directory);
          }
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
      }),
    );
}
