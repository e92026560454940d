import { createInterface } from 'node:readline/promises';
import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { ChatService, ChatTurn } from '../../chat/chat.service';
import { DomainError } from '../../common/errors';
import { WithApp } from '../with-app';
import { printAnswerText, printJson, printToolCalls } from '../output';

const EXIT_WORDS = new Set(['exit', 'quit']);

function printAnswer(answer: Awaited<ReturnType<ChatService['chat']>>): void {
  printToolCalls(answer.toolCalls);
  printAnswerText('\n', `${answer.response}\n`);
}

/** An interactive session: history kept, `exit`/`quit`/Ctrl-D leave; errors end the turn, not the session. */
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
      try {
        const answer = await chat.chat(line, history);
        history = answer.history;
        printAnswer(answer);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        process.stdout.write(`Error: ${error.message}\n`);
      }
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
        let answer: Awaited<ReturnType<ChatService['chat']>>;
        try {
          answer = await app.get(ChatService).chat(options.message);
        } catch (error) {
          if (!options.json || !(error instanceof DomainError)) throw error;
          // A script asked for JSON: the error too, with its stable code, and exit code 1.
          printJson({ error: { code: error.code, message: error.message } });
          process.exitCode = 1;
          return;
        }
        if (options.json) return printJson(answer);
        printAnswer(answer);
      }),
    );
}
