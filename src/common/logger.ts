import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { LogLevelName } from '../config/env';

const SEVERITY_ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The levels at and above LOG_LEVEL. */
export function logLevelsFrom(level: LogLevelName): LogLevel[] {
  return SEVERITY_ORDER.slice(0, SEVERITY_ORDER.indexOf(level) + 1);
}

/** JSON lines in production (for log shippers); text elsewhere, coloured only on a terminal. */
export function createLogger(level: LogLevelName, json: boolean): ConsoleLogger {
  return new ConsoleLogger({
    logLevels: logLevelsFrom(level),
    json,
    colors: !json && Boolean(process.stdout.isTTY),
  });
}
