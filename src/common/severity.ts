import { BadInputError } from './errors';
import { quoted } from './text';

/** How serious a quality issue is, least serious first. The one list of severities. */
export const SEVERITIES = ['Low', 'Medium', 'High'] as const;

export type SeverityName = (typeof SEVERITIES)[number];

/** Most serious first, as breakdowns list them. */
export const SEVERITIES_MOST_SERIOUS_FIRST: readonly SeverityName[] = [...SEVERITIES].reverse();

/** "Low, Medium or High", for messages and help texts. */
export const SEVERITY_CHOICES = `${SEVERITIES.slice(0, -1).join(', ')} or ${SEVERITIES[SEVERITIES.length - 1]}`;

/** The severity a text names, in any letter case, or undefined. */
export function findSeverity(value: unknown): SeverityName | undefined {
  return typeof value === 'string'
    ? SEVERITIES.find((s) => s.toLowerCase() === value.toLowerCase())
    : undefined;
}

/** A severity from outside (CLI, chat tools): Low, Medium or High in any case; null when absent. */
export function parseSeverity(value: unknown): SeverityName | null {
  if (value === undefined || value === null) return null;
  const match = findSeverity(value);
  if (!match) throw new BadInputError(`severity must be ${SEVERITY_CHOICES}, got ${quoted(value)}`);
  return match;
}
