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

  /** No server-initiated stream and no session to end: this server only answers POSTs. */
  @Get()
  @Delete()
  notAllowed(@Res() res: Response): void {
    res.setHeader('Allow', 'POST');
    jsonRpcError(
      res,
      405,
      'Method not allowed: this MCP server is stateless; POST JSON-RPC messages to /mcp.',
    );
  }
}
