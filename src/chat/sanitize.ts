/**
 * Cleans user text before it reaches the model, and spots prompt-injection attempts. Matching is
 * case-insensitive on the original text (the original system lower-cased the input and then looked
 * for "[SYSTEM]", which never matched).
 */
// Control characters are exactly what this expression is for.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const MANY_NEWLINES = /\n{4,}/g;

export const INJECTION_PATTERNS: { name: string; pattern: RegExp }[] = [
  {
    name: 'ignore previous instructions',
    pattern:
      /ignore\s+(all\s+)?(the\s+)?(previous|prior|above|earlier)\s+(instructions|prompts?|rules)/i,
  },
  {
    name: 'disregard previous',
    pattern: /disregard\s+(all\s+)?(the\s+)?(previous|prior|above|earlier|your)/i,
  },
  {
    name: 'forget instructions',
    pattern: /forget\s+(all\s+)?(your|the|previous)\s+(instructions|rules|prompt)/i,
  },
  { name: 'system:', pattern: /(^|\n)\s*system\s*:/i },
  { name: '[SYSTEM]', pattern: /\[\s*system\s*\]/i },
  { name: '[INST]', pattern: /\[\s*\/?\s*inst\s*\]/i },
  { name: '<|im_start|>', pattern: /<\|\s*im_(start|end)\s*\|>/i },
  { name: '<<SYS>>', pattern: /<<\s*\/?\s*sys\s*>>/i },
  { name: 'new instructions', pattern: /new\s+instructions\s*:/i },
  { name: 'you are now', pattern: /\byou\s+are\s+now\s+(a|an|in)\b/i },
];

/** Removes control characters (keeping tabs and newlines), collapses runs of 4+ newlines, trims. */
export function sanitize(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_CHARACTERS, '')
    .replace(MANY_NEWLINES, '\n\n\n')
    .trim();
}

/**
 * The text as the patterns see it: compatibility forms folded (NFKC turns full-width letters and
 * ligatures into plain ones) and invisible format characters removed (a zero-width space inside
 * "ignore previous instructions" must not hide it).
 */
function normalizedForMatching(text: string): string {
  return text.normalize('NFKC').replace(/\p{Cf}/gu, '');
}

/** Names of the injection patterns the text matches. */
export function injectionPatterns(text: string): string[] {
  const normalized = normalizedForMatching(text);
  return INJECTION_PATTERNS.filter(({ pattern }) => pattern.test(normalized)).map(
    ({ name }) => name,
  );
}
