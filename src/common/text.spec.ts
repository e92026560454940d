import { clip, hasUnprintable, printable, printableText, quoted } from './text';

describe('text from outside', () => {
  it.each(['a\u0000b', 'ESC \u001b[2J', 'line\nbreak', 'tab\there', 'bidi \u202e', 'C1 \u009b'])(
    'spots the unprintable character in %j',
    (text) => {
      expect(hasUnprintable(text)).toBe(true);
      expect(hasUnprintable(printable(text))).toBe(false);
    },
  );

  it('leaves ordinary text, accents and symbols alone', () => {
    expect(hasUnprintable('Presse-7 Ø 12 mm, Δt = 3 s')).toBe(false);
    expect(printable('Presse-7')).toBe('Presse-7');
  });

  it('escapes a terminal control sequence visibly', () => {
    expect(printable('CNC\u001b[31m')).toBe('CNC\\u001b[31m');
  });

  it('cuts long input in messages and says how long it was', () => {
    expect(clip('x'.repeat(250_000))).toBe(`${'x'.repeat(60)}... (250000 characters)`);
    expect(quoted(Infinity)).toBe('Infinity');
    expect(quoted(undefined)).toBe('nothing');
    expect(quoted('ok')).toBe('"ok"');
  });

  it('keeps the lines of free text (an answer) but escapes what could drive the terminal', () => {
    expect(printableText('Line 1\n\tLine 2 \u001b[2J')).toBe('Line 1\n\tLine 2 \\u001b[2J');
  });
});
