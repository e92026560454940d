import { gzipSync } from 'node:zlib';
import {
  All,
  ArgumentsHost,
  Catch,
  Controller,
  ExceptionFilter,
  Get,
  HttpException,
  Logger,
  Post,
  Put,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../common/errors';
import { packageVersion } from '../common/version';
import { I3xModel, I3xNode } from './i3x-model';
import { I3xKeyGuard } from './i3x-key.guard';
import { I3xSubscriptions } from './i3x-subscriptions';
import { BulkItem, I3xError, problem, Problem } from './i3x.types';

/** Items one bulk request may name. */
const MAX_BULK = 1000;

/** Sends JSON, gzipped when the client accepts it (i3X requires it, however small the body). */
function send(req: Request, res: Response, status: number, body: unknown): void {
  const json = Buffer.from(JSON.stringify(body));
  res.status(status).setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('vary', 'Accept-Encoding');
  if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    res.setHeader('content-encoding', 'gzip');
    res.end(gzipSync(json));
  } else {
    res.end(json);
  }
}

function failure(req: Request, res: Response, detail: Problem): void {
  send(req, res, detail.status, { success: false, responseDetail: detail });
}

/** Every error on these routes as an i3X failure envelope (RFC 9457 problem details). */
@Catch()
class I3xErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('I3x');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const [req, res] = [http.getRequest<Request>(), http.getResponse<Response>()];
    if (res.headersSent) return void res.end();
    if (error instanceof I3xError) return failure(req, res, problem(error.status, error.message));
    if (error instanceof DomainError) {
      const status =
        { UNAUTHENTICATED: 401, FORBIDDEN: 403, TOO_MANY_REQUESTS: 429 }[error.code as string] ??
        400;
      return failure(req, res, problem(status, error.message));
    }
    if (error instanceof HttpException) {
      return failure(req, res, problem(error.getStatus(), error.message));
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    failure(req, res, problem(500, 'Internal server error'));
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function body(req: Request): Record<string, unknown> {
  if (!isObject(req.body)) throw new I3xError(400, 'The body must be a JSON object');
  return req.body;
}

function idList(input: Record<string, unknown>, key: string): string[] {
  const list = input[key];
  if (!Array.isArray(list) || !list.every((id) => typeof id === 'string')) {
    throw new I3xError(400, `${key} must be an array of strings`);
  }
  if (list.length > MAX_BULK) throw new I3xError(400, `${key} has more than ${MAX_BULK} items`);
  return list;
}

function clientIdOf(input: Record<string, unknown>): string {
  const id = input.clientId;
  if (typeof id !== 'string' || id.trim() === '' || id.length > 200) {
    throw new I3xError(400, 'clientId is required: a non-empty string of at most 200 characters');
  }
  return id;
}

function maxDepthOf(input: Record<string, unknown>): number {
  const depth = input.maxDepth ?? 1;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0) {
    throw new I3xError(
      400,
      'maxDepth must be a whole number: 0 (unlimited), 1 (the object only) or more',
    );
  }
  return depth;
}

/** RFC 3339 with a time zone (Z or an offset), a real calendar date, from 1970 (UTC) on. */
function instantOf(input: Record<string, unknown>, key: string): number {
  const value = input[key];
  const match =
    typeof value === 'string'
      ? /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(value)
      : null;
  const ms = match ? Date.parse(value as string) : NaN;
  const [year, month, day] = (match ?? []).slice(1, 4).map(Number);
  // Date.parse rolls 2026-02-31 over into March: the day must exist in its month.
  const real = day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (Number.isNaN(ms) || !real || ms < 0) {
    throw new I3xError(
      400,
      `${key} is required: an RFC 3339 date-time from 1970 on, such as 2026-11-30T06:00:00Z`,
    );
  }
  return ms;
}

type AnyType = { elementId: string; namespaceUri: string };

/** Object or relationship types, of one namespace when `namespaceUri` is given. */
function listTypes(req: Request, res: Response, types: AnyType[]): void {
  const uri = req.query.namespaceUri;
  send(req, res, 200, {
    success: true,
    result: types.filter((t) => !uri || t.namespaceUri === uri),
  });
}

/** Object or relationship types by elementId, in request order. */
function queryTypes(req: Request, res: Response, types: AnyType[], what: string): void {
  const items = idList(body(req), 'elementIds').map((id) => {
    const type = types.find((t) => t.elementId === id);
    return type ? ok('elementId', id, type) : notFound('elementId', id, what);
  });
  send(req, res, 200, bulk('elementId', items));
}

/** The updates of a write request: `{ updates: [{ elementId, value: { value, quality, timestamp } }] }`. */
function updateList(input: Record<string, unknown>): { elementId: string; vqt: unknown }[] {
  const list = input.updates;
  if (!Array.isArray(list) || !list.every((u) => isObject(u) && typeof u.elementId === 'string')) {
    throw new I3xError(400, 'updates must be an array of { elementId, value: { value, quality } }');
  }
  if (list.length > MAX_BULK) throw new I3xError(400, `updates has more than ${MAX_BULK} items`);
  return list.map((u: Record<string, unknown>) => ({
    elementId: u.elementId as string,
    vqt: u.value,
  }));
}

function bulk<K extends string>(key: K, items: BulkItem<K>[]) {
  return { success: items.every((item) => item.success), results: items };
}

function ok<K extends string>(key: K, id: string, result: unknown): BulkItem<K> {
  return { success: true, [key]: id, result } as BulkItem<K>;
}

function notFound<K extends string>(key: K, id: string, what: string): BulkItem<K> {
  return {
    success: false,
    [key]: id,
    responseDetail: problem(404, `${what} not found: ${id}`),
  } as BulkItem<K>;
}

/**
 * CESMII i3X 1.0 at /i3x/v1 (see docs/i3x.md): the plant's address space (types, objects,
 * relationships), current values and history, writes of the plant's targets, and subscriptions
 * (sync and SSE). `GET /info` is public; everything else needs a key from I3X_API_KEYS (or
 * ADMIN_API_KEY, which writes need).
 */
@Controller('i3x/v1')
@UseGuards(I3xKeyGuard)
@UseFilters(I3xErrorFilter)
export class I3xController {
  constructor(
    private readonly model: I3xModel,
    private readonly subscriptions: I3xSubscriptions,
    private readonly keys: I3xKeyGuard,
  ) {}

  @Get('info')
  info(@Req() req: Request, @Res() res: Response): void {
    send(req, res, 200, {
      success: true,
      result: {
        specVersion: '1.0',
        serverVersion: packageVersion(),
        serverName: 'Factory Agent',
        capabilities: {
          query: { history: true },
          // What the presented key may do (ADMIN_API_KEY writes the plant's targets).
          update: { current: this.keys.mayWrite(req), history: this.keys.mayWrite(req) },
          subscribe: { stream: true },
        },
      },
    });
  }

  @Get('namespaces')
  namespaces(@Req() req: Request, @Res() res: Response): void {
    send(req, res, 200, { success: true, result: this.model.namespaces() });
  }

  @Get('objecttypes')
  objectTypes(@Req() req: Request, @Res() res: Response): void {
    listTypes(req, res, this.model.objectTypes());
  }

  @Post('objecttypes/query')
  objectTypesQuery(@Req() req: Request, @Res() res: Response): void {
    queryTypes(req, res, this.model.objectTypes(), 'Object type');
  }

  @Get('relationshiptypes')
  relationshipTypes(@Req() req: Request, @Res() res: Response): void {
    listTypes(req, res, this.model.relationshipTypes());
  }

  @Post('relationshiptypes/query')
  relationshipTypesQuery(@Req() req: Request, @Res() res: Response): void {
    queryTypes(req, res, this.model.relationshipTypes(), 'Relationship type');
  }

  @Get('objects')
  async objects(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { typeElementId, root, includeMetadata } = req.query;
    const nodes = (await this.model.nodes()).filter(
      (n) =>
        (!typeElementId || n.typeElementId === typeElementId) &&
        (root !== 'true' || n.parentId === null),
    );
    const result = nodes.map((n) => this.model.instance(n, includeMetadata === 'true'));
    send(req, res, 200, { success: true, result });
  }

  @Post('objects/list')
  async objectsList(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const nodes = await this.byId();
    const items = idList(input, 'elementIds').map((id) => {
      const node = nodes.get(id);
      return node
        ? ok('elementId', id, this.model.instance(node, input.includeMetadata === true))
        : notFound('elementId', id, 'Element');
    });
    send(req, res, 200, bulk('elementId', items));
  }

  @Post('objects/related')
  async related(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const wanted = input.relationshipType;
    if (wanted !== undefined && wanted !== null && typeof wanted !== 'string') {
      throw new I3xError(400, 'relationshipType must be a string or null');
    }
    const nodes = await this.byId();
    const items = idList(input, 'elementIds').map((id) => {
      const node = nodes.get(id);
      if (!node) return notFound('elementId', id, 'Element');
      const edges = Object.entries(node.relationships)
        .filter(([name]) => !wanted || name === wanted)
        .flatMap(([name, targets]) =>
          targets.flatMap((target) => {
            const other = nodes.get(target);
            return other
              ? [
                  {
                    sourceRelationship: name,
                    object: this.model.instance(other, input.includeMetadata === true),
                  },
                ]
              : [];
          }),
        );
      return ok('elementId', id, edges);
    });
    send(req, res, 200, bulk('elementId', items));
  }

  @Post('objects/value')
  async value(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const ids = idList(input, 'elementIds');
    const maxDepth = maxDepthOf(input);
    const nodes = await this.byId();
    const items: BulkItem<'elementId'>[] = [];
    for (const id of ids) {
      const node = nodes.get(id);
      if (!node) {
        items.push(notFound('elementId', id, 'Element'));
        continue;
      }
      const own = await this.model.value(node);
      const parts = this.components(node, nodes, maxDepth);
      const components: Record<string, unknown> = {};
      for (const part of parts) components[part.elementId] = await this.model.value(part);
      items.push(
        ok('elementId', id, {
          isComposition: node.isComposition,
          ...own,
          ...(parts.length > 0 ? { components } : {}),
        }),
      );
    }
    send(req, res, 200, bulk('elementId', items));
  }

  @Post('objects/history')
  async history(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const ids = idList(input, 'elementIds');
    const from = instantOf(input, 'startTime');
    const to = instantOf(input, 'endTime');
    if (to < from) throw new I3xError(400, 'endTime is before startTime');
    const maxDepth = maxDepthOf(input);
    const nodes = await this.byId();
    const items: BulkItem<'elementId'>[] = [];
    for (const id of ids) {
      const node = nodes.get(id);
      if (!node) {
        items.push(notFound('elementId', id, 'Element'));
        continue;
      }
      const parts = this.components(node, nodes, maxDepth);
      const components: Record<string, unknown> = {};
      for (const part of parts) {
        components[part.elementId] = { values: await this.model.history(part, from, to) };
      }
      items.push(
        ok('elementId', id, {
          isComposition: node.isComposition,
          values: await this.model.history(node, from, to),
          ...(parts.length > 0 ? { components } : {}),
        }),
      );
    }
    send(req, res, 200, bulk('elementId', items));
  }

  @Put('objects/value')
  async updateValues(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.write(req, res, false);
  }

  @Put('objects/history')
  async updateHistory(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.write(req, res, true);
  }

  @Post('subscriptions')
  async create(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const clientId = clientIdOf(input);
    const name = input.displayName;
    if (name !== undefined && name !== null && typeof name !== 'string') {
      throw new I3xError(400, 'displayName must be a string');
    }
    send(req, res, 200, {
      success: true,
      result: await this.subscriptions.create(clientId, name ?? null),
    });
  }

  @Post('subscriptions/list')
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const clientId = clientIdOf(input);
    const items: BulkItem<'subscriptionId'>[] = [];
    for (const id of idList(input, 'subscriptionIds')) {
      const s = await this.subscriptions.find(clientId, id);
      items.push(
        s
          ? ok('subscriptionId', id, await this.subscriptions.detail(s))
          : notFound('subscriptionId', id, 'Subscription'),
      );
    }
    send(req, res, 200, bulk('subscriptionId', items));
  }

  @Post('subscriptions/delete')
  async remove(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const clientId = clientIdOf(input);
    const items: BulkItem<'subscriptionId'>[] = [];
    for (const id of idList(input, 'subscriptionIds')) {
      const s = await this.subscriptions.find(clientId, id);
      if (s) await this.subscriptions.delete(s);
      items.push(
        s ? ok('subscriptionId', id, null) : notFound('subscriptionId', id, 'Subscription'),
      );
    }
    send(req, res, 200, bulk('subscriptionId', items));
  }

  @Post('subscriptions/register')
  async register(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const s = await this.subscriptions.get(clientIdOf(input), this.subscriptionIdOf(input));
    const ids = idList(input, 'elementIds');
    const maxDepth = maxDepthOf(input);
    const nodes = await this.byId();
    const known = ids.flatMap((id) => nodes.get(id) ?? []);
    await this.subscriptions.register(s, known, maxDepth);
    const items = ids.map((id) =>
      nodes.has(id) ? ok('elementId', id, null) : notFound('elementId', id, 'Element'),
    );
    send(req, res, 200, bulk('elementId', items));
  }

  @Post('subscriptions/unregister')
  async unregister(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const s = await this.subscriptions.get(clientIdOf(input), this.subscriptionIdOf(input));
    const items: BulkItem<'elementId'>[] = [];
    for (const id of idList(input, 'elementIds')) {
      items.push(
        (await this.subscriptions.unregister(s, id))
          ? ok('elementId', id, null)
          : notFound('elementId', id, 'Registered element'),
      );
    }
    send(req, res, 200, bulk('elementId', items));
  }

  @Post('subscriptions/sync')
  async sync(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const s = await this.subscriptions.get(clientIdOf(input), this.subscriptionIdOf(input));
    const last = input.lastSequenceNumber ?? null;
    if (last !== null && !(typeof last === 'number' && Number.isInteger(last) && last >= -1)) {
      throw new I3xError(
        400,
        'lastSequenceNumber must be a whole number: the last batch received, or -1 for all',
      );
    }
    const { batches, dropped } = await this.subscriptions.sync(s, last);
    send(req, res, dropped ? 206 : 200, {
      success: true,
      result: batches,
      ...(dropped
        ? {
            responseDetail: problem(
              206,
              'The queue overflowed since the last sync: the oldest updates were dropped',
            ),
          }
        : {}),
    });
  }

  @Post('subscriptions/stream')
  async stream(@Req() req: Request, @Res() res: Response): Promise<void> {
    const input = body(req);
    const s = await this.subscriptions.get(clientIdOf(input), this.subscriptionIdOf(input));
    await this.subscriptions.stream(s, res);
  }

  /** Any other path under /i3x/v1. */
  @All('*path')
  unknown(@Req() req: Request, @Res() res: Response): void {
    failure(req, res, problem(404, `No i3X endpoint ${req.method} ${req.path}`));
  }

  /**
   * Writes values (each `{ value, quality }`, quality Good or absent) now, or into history at
   * each one's `timestamp`; answered per item (only the plant's targets are writable).
   */
  private async write(req: Request, res: Response, history: boolean): Promise<void> {
    this.keys.writer(req);
    const updates = updateList(body(req));
    const nodes = await this.byId();
    const items: BulkItem<'elementId'>[] = [];
    for (const { elementId, vqt } of updates) {
      const node = nodes.get(elementId);
      if (!node) {
        items.push(notFound('elementId', elementId, 'Element'));
        continue;
      }
      try {
        if (!isObject(vqt) || !('value' in vqt)) {
          throw new I3xError(400, 'value must be an object { value, quality, timestamp }');
        }
        if (vqt.quality !== undefined && vqt.quality !== 'Good') {
          throw new I3xError(400, 'Only values of quality Good can be written');
        }
        const at = history ? instantOf(vqt, 'timestamp') : null;
        await this.model.write(node, vqt.value, at);
        items.push(ok('elementId', elementId, null));
      } catch (error) {
        if (!(error instanceof I3xError || error instanceof DomainError)) throw error;
        const status = error instanceof I3xError ? error.status : 400;
        items.push({ success: false, elementId, responseDetail: problem(status, error.message) });
      }
    }
    send(req, res, 200, bulk('elementId', items));
  }

  private subscriptionIdOf(input: Record<string, unknown>): string {
    const id = input.subscriptionId;
    if (typeof id !== 'string' || id === '') throw new I3xError(400, 'subscriptionId is required');
    return id;
  }

  private async byId(): Promise<Map<string, I3xNode>> {
    return new Map((await this.model.nodes()).map((n) => [n.elementId, n]));
  }

  /** The HasComponent descendants of a composition within maxDepth (0: all; 1: none). */
  private components(node: I3xNode, nodes: Map<string, I3xNode>, maxDepth: number): I3xNode[] {
    if (!node.isComposition || maxDepth === 1) return [];
    const found: I3xNode[] = [];
    const walk = (from: I3xNode, level: number) => {
      if (maxDepth !== 0 && level >= maxDepth) return;
      for (const id of from.relationships.HasComponent ?? []) {
        const part = nodes.get(id);
        if (!part || found.includes(part)) continue;
        found.push(part);
        walk(part, level + 1);
      }
    };
    walk(node, 1);
    return found;
  }
}
