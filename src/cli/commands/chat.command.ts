import { createInterface } from 'node:readline/promises';
import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { ChatService, ChatTurn } from '../../chat/chat.service';
import { DomainError } from '../../common/errors';
import { WithApp } from '../with-app';
import { printAnswerText, printJson, printToolCalls } from '../output';
import { printable, printableText } from '../../common/text';

const EXIT_WORDS = new Set(['exit', 'quit']);

/**
 * Asks over the stream and prints as it comes: each tool call when the model makes it (and its
 * error, if any), then the answer as it is written. Returns the new history, or the error.
 */
async function streamAnswer(
  chat: ChatService,
  message: string,
  history: ChatTurn[],
): Promise<{ history: ChatTurn[] } | { error: string }> {
  let writing = false;
  for await (const event of chat.chatStream(message, history, new AbortController().signal)) {
    switch (event.type) {
      case 'TOOL_CALL':
        printToolCalls([{ name: event.toolName, arguments: event.arguments, error: null }]);
        break;
      case 'TOOL_RESULT':
        if (event.error)
          process.stdout.write(
            `  [tool] ${printable(`${event.toolName} -> error: ${event.error}`)}\n`,
          );
        break;
      case 'DELTA':
        if (!writing) process.stdout.write('\n');
        writing = true;
        process.stdout.write(printableText(event.text));
        break;
      case 'DONE':
        // Deltas of the final round are the answer; without any (a model that does not stream
        // text), the answer is printed whole.
        if (writing) process.stdout.write('\n\n');
        else printAnswerText('\n', `${event.response}\n`);
        return { history: event.history };
      case 'ERROR':
        if (writing) process.stdout.write('\n');
        return { error: event.message };
    }
  }
  return { error: 'The answer ended without a result.' };
}

/**
 * An interactive session, answers streamed: history kept, `exit`/`quit`/Ctrl-D leave; errors end the
 * turn, not the session.
 */
async function interactive(app: INestApplicationContext): Promise<void> {
  const chat = app.get(ChatService);
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  let history: ChatTurn[] = [];
  process.stdout.write(
    'Ask about OEE, scrap, quality or downtime. Type exit or press Ctrl-D to leave.\n',
  );
  try {
    for (;;) {
      let line: string;
      try {
        line = (await terminal.question('> ')).trim();
      } catch {
        break; // Ctrl-D closes the input.
      }
      if (EXIT_WORDS.has(line.toLowerCase())) break;
      if (line === '') continue;
      const outcome = await streamAnswer(chat, line, history);
      if ('error' in outcome) process.stdout.write(`Error: ${outcome.error}\n`);
      else history = outcome.history;
    }
  } finally {
    terminal.close();
  }
}

export function registerChatCommand(program: Command, withApp: WithApp): void {
  program
    .command('chat')
    .description('Ask questions in plain language (interactive, or once with --message)')
    .option('--message <text>', 'ask one question, print the answer and exit')
    .option('--json', 'with --message: print the answer, tool calls and model as JSON')
    .action((options: { message?: string; json?: boolean }) =>
      withApp(async (app) => {
        if (options.message === undefined) return interactive(app);
        if (!options.json) {
          const outcome = await streamAnswer(app.get(ChatService), options.message, []);
          if ('error' in outcome) {
            process.stderr.write(`Error: ${outcome.error}\n`);
            process.exitCode = 1;
          }
          return;
        }
        try {
          printJson(await app.get(ChatService).chat(options.message));
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          // A script asked for JSON: the error too, with its stable code, and exit code 1.
          printJson({ error: { code: error.code, message: error.message } });
          process.exitCode = 1;
        }
      }),
    );
}
