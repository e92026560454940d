import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Command } from 'commander';
import { IngestService } from '../../ingest/ingest.service';
import { McpService } from '../../mcp/mcp.service';
import { WithApp } from '../with-app';

/**
 * `factory-agent mcp`: the MCP server on stdin/stdout, for desktop agents that start it as a
 * process. Logs (the audit lines included) go to stderr; it runs until stdin closes and, like the
 * server, keeps live data moving meanwhile.
 */
export function registerMcpCommand(program: Command, withApp: WithApp): void {
  program
    .command('mcp')
    .description('Serve the metrics to an AI agent over the Model Context Protocol (stdio)')
    .action(() =>
      withApp(
        async (app) => {
          app.get(IngestService).startUpkeep();
          const server = app.get(McpService).createServer('stdio');
          const transport = new StdioServerTransport();
          const closed = new Promise<void>((resolve) => {
            server.onclose = resolve;
            process.stdin.once('end', resolve);
          });
          await server.connect(transport);
          await closed;
          await server.close();
        },
        { logs: 'configured' },
      ),
    );
}
