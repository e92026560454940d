import { jest } from '@jest/globals';
import { printPairs, printTable, progressBar } from './output';

/** What a print function wrote to stdout. */
function written(print: () => void): string {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    print();
  } finally {
    write.mockRestore();
  }
  return chunks.join('');
}

/** What a progress bar wrote to stderr, with stderr a terminal or not. */
function drawn(tty: boolean, draw: (bar: ReturnType<typeof progressBar>) => void): string {
  const chunks: string[] = [];
  const descriptor = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true });
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    draw(progressBar('Generating'));
  } finally {
    write.mockRestore();
    if (descriptor) Object.defineProperty(process.stderr, 'isTTY', descriptor);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
  return chunks.join('');
}

describe('CLI output', () => {
  it('redraws the progress bar in place on a terminal, once per percent, and prints none elsewhere', () => {
    const steps = (bar: ReturnType<typeof progressBar>) => {
      for (let done = 0; done <= 400; done++) bar.update(done, 400);
      bar.end();
    };
    const terminal = drawn(true, steps);
    // 101 redraws (0-100%), each back to the line's start, and one line end at the finish.
    expect(terminal.split('\r')).toHaveLength(102);
    expect(terminal.split('\n')).toEqual([expect.any(String), '']);
    expect(terminal.endsWith('\rGenerating [####################] 100%\n')).toBe(true);
    expect(terminal).toContain('\rGenerating [##########..........] 50%');
    expect(drawn(false, steps)).toBe('');
  });

  it('prints pairs with numbers in thousands, text as it is', () => {
    expect(
      written(() =>
        printPairs([
          ['Production rows', 2400],
          ['Planned hours', 9280.5],
          ['Date range', '2026-01-01 to 2026-12-31'],
        ]),
      ),
    ).toBe(
      'Production rows  2,400\nPlanned hours    9,280.5\nDate range       2026-01-01 to 2026-12-31\n',
    );
  });

  it('right-aligns columns of figures and left-aligns text', () => {
    expect(
      written(() =>
        printTable(
          ['Machine', 'Parts', 'OEE'],
          [
            ['CNC-001', 12345, '81.2%'],
            ['Press-7', 9, '5.0%'],
          ],
        ),
      ),
    ).toBe(
      [
        'Machine   Parts    OEE',
        '-------  ------  -----',
        'CNC-001  12,345  81.2%',
        'Press-7       9   5.0%',
        '',
      ].join('\n'),
    );
  });
});
