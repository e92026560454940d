import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export const ROOT = resolve(HERE, '../..');
export const CLI = join(ROOT, 'dist/cli.js');
export const MAIN = join(ROOT, 'dist/main.js');
export const FIXTURES = join(ROOT, 'test/fixtures');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A scratch directory (the working directory of spawned processes), removed by cleanup(). */
export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'factory-agent-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment a spawned process gets: no inherited Factory Agent settings, UTC, a given DB. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    NODE_ENV: 'test',
    ...extra,
  };
}

/** Runs the built CLI (`npm test` builds first) with `stdin` as its input, and collects its output. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; stdin?: string },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

export interface ServerProcess {
  url: string;
  output: () => string;
  /** Stops the server (SIGTERM: a graceful shutdown; SIGKILL: a crash). */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts the built server on a free port and resolves once it listens (or rejects with its output). */
export function startServer(options: {
  cwd: string;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      cwd: options.cwd,
      env: cleanEnv({ PORT: '0', ...options.env }),
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        resolvePromise({
          url: match[1].replace('localhost', '127.0.0.1'),
          output: () => output,
          stop: (signal: NodeJS.Signals = 'SIGTERM') =>
            new Promise((done) => {
              child.once('close', () => done());
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) =>
      reject(new Error(`server exited with ${code} before listening:\n${output}`)),
    );
  });
}

export interface InteractiveCli {
  /** Resolves once the output contains `text` (within 10 s), else rejects with the output so far. */
  waitFor: (text: string) => Promise<void>;
  /** Types a line. */
  type: (line: string) => void;
  stdout: () => string;
  /** The exit code. */
  closed: Promise<number | null>;
}

/** Runs the built CLI as a person at a terminal would: type a line after each prompt appears. */
export function interactiveCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): InteractiveCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    waitFor: async (text) => {
      for (let i = 0; i < 200 && !stdout.includes(text); i++)
        await new Promise((r) => setTimeout(r, 50));
      if (!stdout.includes(text)) throw new Error(`"${text}" did not appear in:\n${stdout}`);
    },
    type: (line) => child.stdin.write(`${line}\n`),
    stdout: () => stdout,
    closed,
  };
}
