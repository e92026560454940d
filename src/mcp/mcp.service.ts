import { randomUUID } from 'node:crypto';
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
import { inputSchema, MetricTools } from '../tools/metric-tools';

/** What a client is told of a fault of ours. */
const SEE_LOG = 'the server log says why.';
/** Characters of a call's arguments written to the audit line. */
const AUDITED_ARGUMENT_CHARS = 300;

const RESOURCES = [
  {
    uri: 'factory://machines',
    name: 'machines',
    title: 'Machines',
    description:
      'The machines of the plant (name, type, ideal cycle time in seconds): the first page of list_machines, with the total.',
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
  private readonly logger = new Logger(McpService.name);

  constructor(private readonly tools: MetricTools) {}

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
      let outcome: { result: unknown; error: string | null };
      let audited: string;
      try {
        outcome = await this.tools.run(name, args);
        audited = outcome.error === null ? 'ok' : `error: ${outcome.error}`;
      } catch (fault) {
        const id = this.logFault(`Tool ${clip(name)}`, fault);
        outcome = { result: null, error: `Internal error ${id}: the tool failed; ${SEE_LOG}` };
        audited = `error: internal ${id}`;
      }
      const ms = Math.round(performance.now() - started);
      this.audit.log(
        `client=${client} tool=${clip(name)} args=${clip(auditedArguments(name, args, this.tools), AUDITED_ARGUMENT_CHARS)} ${ms} ms ${audited}`,
      );
      const { result, error } = outcome;
      return {
        content: [{ type: 'text', text: error ?? JSON.stringify(result) }],
        ...(error === null ? {} : { isError: true }),
      };
    });
    server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: RESOURCES }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      const { uri } = request.params;
      let value: unknown;
      try {
        value = await this.resource(uri);
      } catch (fault) {
        if (fault instanceof McpError) throw fault;
        const id = this.logFault(`Resource ${clip(uri)}`, fault);
        throw new McpError(ErrorCode.InternalError, `Internal error ${id}: ${SEE_LOG}`);
      }
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }] };
    });
    return server;
  }

  /** A fault of ours (the database gone, a bug): logged with its cause and an id, never sent. */
  private logFault(what: string, fault: unknown): string {
    const id = randomUUID();
    this.logger.error(
      `${what} failed (error ${id}): ${fault instanceof Error ? fault.message : String(fault)}`,
      fault instanceof Error ? fault.stack : undefined,
    );
    return id;
  }

  private async resource(uri: string): Promise<unknown> {
    // The tools' answers, so a resource and its tool cannot differ.
    if (uri === 'factory://machines') {
      return (await this.tools.run('list_machines', {})).result;
    }
    if (uri === 'factory://data-range') {
      return (await this.tools.run('get_data_range', {})).result;
    }
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown resource ${clip(uri)}. Resources: ${RESOURCES.map((r) => r.uri).join(', ')}`,
    );
  }
}

/**
 * A call's arguments for the audit line: the values of the tool's own arguments; anything else a
 * client sent is named but its value is not written (it may be a secret pasted by mistake).
 */
function auditedArguments(name: string, args: unknown, tools: MetricTools): string {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return JSON.stringify(args ?? {});
  }
  const known = Object.keys(tools.definitions.find((t) => t.name === name)?.properties ?? {});
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(args).map(([key, value]) => [
        key,
        known.includes(key) ? value : '[not logged]',
      ]),
    ),
  );
}
