import { Injectable, Logger } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { clip } from '../common/text';
import { packageVersion } from '../common/version';
import { DataService } from '../data/data.service';
import { inputSchema, MetricTools } from '../tools/metric-tools';

/** Characters of a call's arguments written to the audit line. */
const AUDITED_ARGUMENT_CHARS = 300;

const RESOURCES = [
  {
    uri: 'factory://machines',
    name: 'machines',
    title: 'Machines',
    description: 'Every machine of the plant: name, type and ideal cycle time in seconds.',
    mimeType: 'application/json',
  },
  {
    uri: 'factory://data-range',
    name: 'data-range',
    title: 'Data range',
    description: 'The first and last day with production data, and how many days have data.',
    mimeType: 'application/json',
  },
];

/**
 * The Model Context Protocol server over the tool registry: the chat agent's tools, with the same
 * names, arguments and handlers, and two read-only resources. One server per connection (stdio)
 * or per request (Streamable HTTP, stateless); every tool call is one audit line.
 */
@Injectable()
export class McpService {
  private readonly audit = new Logger('McpAudit');

  constructor(
    private readonly tools: MetricTools,
    private readonly data: DataService,
  ) {}

  /** A server for one client, named in the audit lines (never a secret). */
  createServer(client: string): Server {
    const server = new Server(
      { name: 'factory-agent', title: 'Factory Agent', version: packageVersion() },
      {
        capabilities: { tools: {}, resources: {} },
        instructions:
          'Factory performance metrics (OEE, scrap, quality, downtime, losses, shift reports, alerts) from the plant database. Dates are YYYY-MM-DD in the plant time zone; call get_data_range first to learn which days have data.',
      },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: this.tools.definitions.map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: inputSchema(tool),
        annotations: { readOnlyHint: true, openWorldHint: false },
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const { name, arguments: args } = request.params;
      const started = performance.now();
      const { result, error } = await this.tools.run(name, args);
      const ms = Math.round(performance.now() - started);
      this.audit.log(
        `client=${client} tool=${clip(name)} args=${clip(JSON.stringify(args ?? {}), AUDITED_ARGUMENT_CHARS)} ${ms} ms ${error === null ? 'ok' : `error: ${error}`}`,
      );
      return {
        content: [{ type: 'text', text: error ?? JSON.stringify(result) }],
        ...(error === null ? {} : { isError: true }),
      };
    });
    server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: RESOURCES }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      const { uri } = request.params;
      const value = await this.resource(uri);
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }] };
    });
    return server;
  }

  private async resource(uri: string): Promise<unknown> {
    if (uri === 'factory://machines') {
      const machines = await this.data.listMachines();
      return machines.map((m) => ({
        name: m.name,
        type: m.type,
        ideal_cycle_time_s: m.idealCycleTimeSeconds,
      }));
    }
    if (uri === 'factory://data-range') {
      // The get_data_range tool's answer, so the two cannot differ.
      return (await this.tools.run('get_data_range', {})).result;
    }
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown resource ${clip(uri)}. Resources: ${RESOURCES.map((r) => r.uri).join(', ')}`,
    );
  }
}
