import Sqlite from 'better-sqlite3';
import { withLargeCache } from './bulk-insert';

describe('withLargeCache', () => {
  it('gives the connection a larger page cache during the work, then its own size back, on failure too', async () => {
    const sqlite = new Sqlite(':memory:');
    try {
      sqlite.pragma('cache_size = -1000');
      const size = () => Number(sqlite.pragma('cache_size', { simple: true }));
      expect(await withLargeCache(sqlite, () => Promise.resolve(size()))).toBeLessThan(-1000);
      expect(size()).toBe(-1000);
      await expect(
        withLargeCache(sqlite, () => Promise.reject(new Error('disk full'))),
      ).rejects.toThrow('disk full');
      expect(size()).toBe(-1000);
      expect(await withLargeCache(undefined, () => Promise.resolve('postgres'))).toBe('postgres');
    } finally {
      sqlite.close();
    }
  });
});
