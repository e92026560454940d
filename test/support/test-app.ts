import { join } from 'node:path';
import { runCli, scratchDir, startServer } from './processes';
import { createTestDatabase, DatabaseKind } from '../../src/data/database/test-databases.testing';

export interface GqlBody<T> {
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; [key: string]: unknown };
  }[];
}

export interface TestApp {
  url: string;
  dir: string;
  /** The server's DATABASE_URL. */
  databaseUrl: string;
  /** The server's SQLite file (SQLite only). */
  databaseFile: string;
  /** POSTs a GraphQL operation and returns the parsed body and the response. */
  gql: <T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: GqlBody<T>; headers: Headers }>;
  /** Runs the CLI against the same database. */
  cli: (...args: string[]) => ReturnType<typeof runCli>;
  output: () => string;
  close: () => Promise<void>;
}

/**
 * Starts the built server as a real process (as `npm start` does) on a free port, with its own
 * database in a scratch directory. `importFile` is loaded with the CLI first; no demo data otherwise.
 *
 * In-process apps are not an option: @nestjs/throttler is CommonJS and requires the ES-module
 * @nestjs/common, which Jest cannot do on Node 20.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { importFile?: string; database?: DatabaseKind } = {},
): Promise<TestApp> {
  const { dir, cleanup } = scratchDir();
  const databaseFile = join(dir, 'factory.db');
  // A DATABASE_URL in env is shared with other apps and owned by the test; otherwise a new one.
  const database = env.DATABASE_URL
    ? null
    : await createTestDatabase(options.database ?? 'sqlite', dir);
  const databaseUrl = env.DATABASE_URL ?? (database as { url: string }).url;
  const fullEnv = { DEMO_DATA: 'false', ...env, DATABASE_URL: databaseUrl };
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env: fullEnv });
  if (options.importFile) {
    const imported = await cli('import', options.importFile);
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
  }
  const server = await startServer({ cwd: dir, env: fullEnv });
  return {
    url: server.url,
    dir,
    databaseUrl,
    databaseFile,
    cli,
    output: server.output,
    gql: async (query, variables, headers = {}) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        body: (await response.json()) as GqlBody<any>,
        headers: response.headers,
      };
    },
    close: async () => {
      await server.stop();
      await database?.drop();
      cleanup();
    },
  };
}
