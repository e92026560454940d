import { ConfigValidationError } from '../config/env';

/**
 * Ends a failed start-up. A bad configuration is the user's to fix: one line naming the variable,
 * no stack trace. Anything else is a real fault and keeps its stack.
 */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
}
