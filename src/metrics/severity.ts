import { BadInputError } from '../common/errors';
import { SeverityName } from '../data/database.types';

const SEVERITIES: readonly SeverityName[] = ['Low', 'Medium', 'High'];

/** A severity from outside (CLI, chat tools): Low, Medium or High in any case; null when absent. */
export function parseSeverity(value: unknown): SeverityName | null {
  if (value === undefined || value === null) return null;
  const match = SEVERITIES.find(
    (s) => typeof value === 'string' && s.toLowerCase() === value.toLowerCase(),
  );
  if (!match)
    throw new BadInputError(`severity must be Low, Medium or High, got ${JSON.stringify(value)}`);
  return match;
}
