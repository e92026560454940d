import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { MetricTools } from '../tools/metric-tools';
import type { McpService as Service } from './mcp.service';

/** The MCP server over in-memory transports, with the official client, around a failing tool. */
describe('McpService', () => {
  let McpService: typeof Service;
  beforeAll(async () => {
    // The package version is read from package.json beside the build, which the tests have not.
    jest.unstable_mockModule('../common/version', () => ({ packageVersion: () => '0.0.0' }));
    ({ McpService } = await import('./mcp.service'));
  });

  it('answers a fault of ours as a generic tool error, and still writes the audit line', async () => {
    const tools = {
      definitions: [
        { name: 'calculate_oee', description: 'OEE', properties: {}, run: () => undefined },
      ],
      run: () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error at /var/lib/plant.db')),
    } as unknown as MetricTools;
    const logged: string[] = [];
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => {
      logged.push(String(m));
    });
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => {
      logged.push(String(m));
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = new McpService(tools).createServer('test');
    await server.connect(serverSide);
    const client = new Client({ name: 'spec', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const result = (await client.callTool({
        name: 'calculate_oee',
        arguments: { token: 'secret' },
      })) as { isError?: boolean; content: { text: string }[] };
      expect(result.isError).toBe(true);
      expect(result.content[0].text).toMatch(
        /^Internal error [0-9a-f-]{36}: the tool failed; the server log says why\.$/,
      );
      // The cause goes to the log, not to the client.
      expect(result.content[0].text).not.toMatch(/SQLITE|plant\.db/);
      expect(logged).toContainEqual(expect.stringMatching(/failed \(error .*\): SQLITE_IOERR/));
      expect(logged).toContainEqual(
        expect.stringMatching(
          /^client=test tool=calculate_oee args=\{"token":"\[not logged\]"\} \d+ ms error: internal [0-9a-f-]{36}$/,
        ),
      );
      // A resource read that fails the same way.
      await expect(client.readResource({ uri: 'factory://machines' })).rejects.toThrow(
        /Internal error [0-9a-f-]{36}: the server log says why\.$/,
      );
      expect(logged).toContainEqual(
        expect.stringMatching(/^Resource factory:\/\/machines failed \(error .*\): SQLITE_IOERR/),
      );
    } finally {
      await client.close();
      log.mockRestore();
      error.mockRestore();
    }
  });
});
