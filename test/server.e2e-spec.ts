import { runCli, scratchDir, startServer } from './support/processes';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MAIN, cleanEnv } from './support/processes';

/** The server as `npm start` runs it: a real process with an embedded database in a scratch dir. */
describe('server start-up', () => {
  let dir: string;
  let cleanup: () => void;

  beforeEach(() => {
    ({ dir, cleanup } = scratchDir());
  });
  afterEach(() => cleanup());

  it('generates 30 days of demo data on first start, logs it, and answers /health', async () => {
    const server = await startServer({ cwd: dir });
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' } },
      });
      expect(server.output()).toMatch(/generated 30 days of demo data .* for 4 machines/);
    } finally {
      await server.stop();
    }
    const stats = JSON.parse((await runCli(['stats', '--json'], { cwd: dir })).stdout);
    expect(stats).toMatchObject({ totalDays: 30, totalMachines: 4, totalRecords: 120 });

    // A second start keeps the data it finds.
    await runCli(['setup', '--days', '3'], { cwd: dir });
    const again = await startServer({ cwd: dir });
    await again.stop();
    expect(again.output()).not.toMatch(/generated/);
    expect(JSON.parse((await runCli(['stats', '--json'], { cwd: dir })).stdout).totalDays).toBe(3);
  });

  it('starts empty with DEMO_DATA=false, and says where it listens and what is configured', async () => {
    const server = await startServer({ cwd: dir, env: { DEMO_DATA: 'false' } });
    await server.stop();
    expect(server.output()).toMatch(
      /listening on http:\/\/localhost:\d+\n.*Dashboard http:\/\/localhost:\d+\/ · GraphQL http:\/\/localhost:\d+\/graphql · health http:\/\/localhost:\d+\/health · chat not configured \(set OPENAI_API_KEY or OPENAI_BASE_URL\)/,
    );
    // Nest's wiring lines (modules, routes) are debug, not the default level.
    expect(server.output()).not.toMatch(/InstanceLoader|RouterExplorer|Mapped \{|Starting Nest/);
    const stats = JSON.parse((await runCli(['stats', '--json'], { cwd: dir })).stdout);
    expect(stats.exists).toBe(false);
  });

  it('refuses a port already in use in one line, not a stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, done));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = spawnSync(process.execPath, [MAIN], {
        cwd: dir,
        env: cleanEnv({ PORT: String(port), DEMO_DATA: 'false' }),
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `Invalid configuration: PORT ${port} is already in use (another Factory Agent, or another program): stop it or set PORT to a free port\n`,
      );
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it('refuses to start with a bad variable, in one line naming it', () => {
    const result = spawnSync(process.execPath, [MAIN], {
      cwd: dir,
      env: cleanEnv({ PORT: 'eighty' }),
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Invalid configuration: PORT="eighty" must be a whole number from 0 to 65535\n',
    );
  });
});
