import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { LogLevelName } from '../config/env';
import { DomainError } from './errors';
import { currentRequestId } from './request-context';

const SEVERITY_ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The levels at and above LOG_LEVEL. */
export function logLevelsFrom(level: LogLevelName): LogLevel[] {
  return SEVERITY_ORDER.slice(0, SEVERITY_ORDER.indexOf(level) + 1);
}

/**
 * Nest's own start-up lines (each module initialised, each route mapped, "starting", "started"):
 * logged at debug instead of log, so that the default level shows what a user needs (where the
 * app listens, what is configured) and not forty lines of wiring.
 */
const WIRING_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'GraphQLModule',
]);

/** Adds the current request's id to every line logged while handling it. */
class RequestAwareLogger extends ConsoleLogger {
  /** Every line to stderr: for `factory-agent mcp`, whose stdout is the protocol. */
  stderrOnly = false;

  protected override printMessages(
    ...[messages, context, level, stream, ...rest]: Parameters<ConsoleLogger['printMessages']>
  ): void {
    super.printMessages(messages, context, level, this.stderrOnly ? 'stderr' : stream, ...rest);
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && WIRING_CONTEXTS.has(context)) {
      this.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const requestId = currentRequestId();
    const object = super.getJsonLogObject(message, options);
    return requestId ? { ...object, requestId } : object;
  }

  override error(message: unknown, ...rest: unknown[]): void {
    // Nest's ExceptionHandler logs an error thrown while the app starts, stack and all. An expected
    // one (a DomainError, such as an unreachable database) is reported once, as one line, by
    // exitOnStartupError instead.
    if (message instanceof DomainError) return;
    super.error(message, ...rest);
  }

  protected override formatContext(context: string): string {
    const requestId = currentRequestId();
    return super.formatContext(requestId ? `${context}] [${requestId}` : context);
  }
}

/**
 * JSON lines in production (for log shippers); text elsewhere, coloured only on a terminal. With
 * `stderrOnly` nothing is written to stdout.
 */
export function createLogger(
  level: LogLevelName,
  json: boolean,
  stderrOnly = false,
): ConsoleLogger {
  const logger = new RequestAwareLogger({
    logLevels: logLevelsFrom(level),
    json,
    colors: !json && Boolean((stderrOnly ? process.stderr : process.stdout).isTTY),
    compact: true,
  });
  logger.stderrOnly = stderrOnly;
  return logger;
}
