import { ConfigValidationError } from '../config/env';
import { DomainError } from './errors';

/** The innermost cause's message: "connect ECONNREFUSED 127.0.0.1:5432" rather than a wrapper's. */
function rootMessage(error: Error): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return (current as Error).message;
}

/** One line for the operator, or null for a real fault (which keeps its stack). */
export function knownReason(error: unknown): string | null {
  if (error instanceof ConfigValidationError) return error.message;
  if (error instanceof DomainError) {
    const detail = rootMessage(error);
    return detail === error.message ? error.message : `${error.message} (${detail})`;
  }
  return null;
}

/**
 * Ends a failed start-up. A bad configuration or an unreachable database is the user's to fix: one
 * line (a JSON line in production) naming the problem, no stack trace. Anything else is a real fault
 * and keeps its stack.
 */
export function exitOnStartupError(error: unknown, json = false): never {
  const reason = knownReason(error);
  const line =
    error instanceof ConfigValidationError
      ? error.message
      : `Start-up failed: ${reason ?? (error instanceof Error ? (error.stack ?? error.message) : String(error))}`;
  process.stderr.write(
    json
      ? `${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), context: 'Bootstrap', message: line })}\n`
      : `${line}\n`,
  );
  process.exit(1);
}
