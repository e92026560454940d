import {
  ArgumentsHost,
  Catch,
  Controller,
  Delete,
  ExceptionFilter,
  Get,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Response } from 'express';
import { DomainError } from '../common/errors';
import { McpKeyGuard } from './mcp-key.guard';
import type { McpRequest } from './mcp-key.guard';
import { McpService } from './mcp.service';

const STATUS: Partial<Record<DomainError['code'], number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TOO_MANY_REQUESTS: 429,
};

/** A JSON-RPC error answer outside any request (no id), as MCP clients expect on HTTP errors. */
function jsonRpcError(res: Response, status: number, message: string, code?: string): void {
  res.status(status).json({
    jsonrpc: '2.0',
    error: { code: -32000, message, ...(code ? { data: { code } } : {}) },
    id: null,
  });
}

function notAllowed(res: Response): void {
  res.setHeader('Allow', 'POST');
  jsonRpcError(
    res,
    405,
    'Method not allowed: this MCP server is stateless; POST JSON-RPC messages to /mcp.',
  );
}

/** Refusals before the protocol (key, rate limit) as HTTP statuses with a JSON-RPC error body. */
@Catch(DomainError)
class McpErrorFilter implements ExceptionFilter {
  catch(error: DomainError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (error.code === 'UNAUTHENTICATED') res.setHeader('WWW-Authenticate', 'Bearer');
    jsonRpcError(res, STATUS[error.code] ?? 400, error.message, error.code);
  }
}

/**
 * MCP over Streamable HTTP at /mcp, stateless: each POST carries JSON-RPC messages and gets its
 * answer as JSON, with a new server and transport for the request (no session to keep, so any
 * instance behind a load balancer can answer). Behind the same rate limits as GraphQL (the
 * default bucket, per client IP) and MCP_API_KEYS.
 */
@Controller('mcp')
@UseGuards(McpKeyGuard)
@UseFilters(McpErrorFilter)
export class McpController {
  constructor(private readonly mcp: McpService) {}

  @Post()
  async post(@Req() req: McpRequest, @Res() res: Response): Promise<void> {
    // A batch would let one request (one rate-limit hit) carry a hundred tool calls; the current
    // MCP specification has no batches.
    if (Array.isArray(req.body)) {
      return jsonRpcError(
        res,
        400,
        'JSON-RPC batches are not accepted: send one message per POST.',
      );
    }
    const server = this.mcp.createServer(req.mcpClient ?? 'unknown');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  /** No server-initiated stream: this server only answers POSTs. */
  @Get()
  noStream(@Res() res: Response): void {
    notAllowed(res);
  }

  /** No session to end. */
  @Delete()
  noSession(@Res() res: Response): void {
    notAllowed(res);
  }
}
