import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, ROOT, scratchDir } from './support/processes';

/**
 * `npm run bench` runs on a tiny dataset, so its code path (dataset, bare app, event-loop probe,
 * report) keeps working; the figures themselves are measured by the bench, never asserted here.
 */
describe('npm run bench (on a tiny dataset)', () => {
  it('generates its dataset, measures every query and the bare app, and writes the report', async () => {
    const { dir, cleanup } = scratchDir();
    try {
      const report = join(dir, 'report.json');
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'bench/dist/bench.js'),
          ...['--machines', '2', '--days', '3', '--seconds', '1', '--connections', '2'],
          ...['--json', report, '--dir', join(dir, 'data')],
        ],
        { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect([code, output]).toEqual([0, expect.stringContaining('bare NestJS + Apollo')]);
      const result = JSON.parse(readFileSync(report, 'utf8'));
      expect(result).toMatchObject({ machines: 2, days: 3, connections: 2 });
      // Live ingestion ran through the simulator and the ingest mutation, every signal accepted.
      expect(result.ingestion).toMatchObject({ machines: 2, sustainedRejected: 0 });
      expect(result.ingestion.sustainedAccepted).toBeGreaterThan(0);
      expect(result.ingestion.ingestingPerSecond).toBeGreaterThan(0);
      expect(result.results.map((r: { name: string }) => r.name)).toEqual(
        expect.arrayContaining([
          'trivial { __typename }',
          'oee year all',
          'oee year byMachine',
          'oee all byMachine',
          'downtime 7d one',
          'stats',
          'dateRange',
          'random ranges and machines',
          'random, as variables',
        ]),
      );
      for (const row of result.results) {
        expect([row.name, row.errors]).toEqual([row.name, 0]);
        expect(row.requestsPerSecond).toBeGreaterThan(0);
        expect(row.eventLoopMaxMs).toBeGreaterThanOrEqual(0);
      }
      expect(result.bareAppTrivialRequestsPerSecond).toBeGreaterThan(0);
      expect(result.serverPeakRssMb).toBeGreaterThan(0);
      expect(result.chatMachineListCharacters).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  }, 300_000);
});
