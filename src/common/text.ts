/**
 * Text from outside (files, arguments, signals) on its way to a terminal, a log or a message.
 * Control characters (NUL, ESC, newlines) and bidirectional overrides could forge table rows or
 * terminal output, so names carrying them are refused where data enters, and anything printed is
 * escaped.
 */
// Control characters and bidi overrides are exactly what these expressions are for.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNPRINTABLE_ALL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** True when the text holds a control character or a bidirectional override. */
export function hasUnprintable(text: string): boolean {
  return UNPRINTABLE.test(text);
}

/** The text with every unprintable character shown as an escape such as \u001b. */
export function printable(text: string): string {
  return text.replace(
    UNPRINTABLE_ALL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const UNPRINTABLE_BUT_LINES =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Free text (an answer) for a terminal: lines and tabs kept, every other control escaped. */
export function printableText(text: string): string {
  return text.replace(
    UNPRINTABLE_BUT_LINES,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Text from outside for a message: escaped, and cut to `max` characters. */
export function clip(text: string, max = 60): string {
  const shown = printable(text);
  return shown.length > max ? `${shown.slice(0, max)}... (${text.length} characters)` : shown;
}

/** A value from outside for an error message: JSON, escaped, cut to `max` characters. */
export function quoted(value: unknown, max = 60): string {
  const text =
    value === undefined
      ? 'nothing'
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : (JSON.stringify(value) ?? typeof value);
  return clip(text, max);
}
