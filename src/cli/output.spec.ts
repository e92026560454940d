import { jest } from '@jest/globals';
import { printPairs, printTable } from './output';

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

describe('CLI output', () => {
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
