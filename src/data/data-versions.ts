import { Kysely, Transaction } from 'kysely';
import { Database } from './database/database.types';

/** Keys of dataset_meta. */
export const META_KEYS = {
  source: 'source',
  generatedAt: 'generated_at',
  version: 'version',
  summariesBasis: 'summaries_basis',
} as const;

type Tx = Transaction<Database>;

export async function setMeta(tx: Tx, key: string, value: string): Promise<void> {
  await tx
    .insertInto('dataset_meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/**
 * Makes writers take turns from here to the end of their transaction (the version row exists from
 * the migrations on): each one reads the version the one before wrote, and none is skipped.
 */
export async function lockVersion(tx: Tx): Promise<void> {
  await tx
    .updateTable('dataset_meta')
    .set((eb) => ({ value: eb.ref('value') }))
    .where('key', '=', META_KEYS.version)
    .execute();
}

/** The query of the data version's row. */
export function versionQuery(db: Kysely<Database>) {
  return db.selectFrom('dataset_meta').select('value').where('key', '=', META_KEYS.version);
}

/** The data version: a number that changes with every write, from any process. */
export async function readVersion(db: Kysely<Database>): Promise<number> {
  const row = await versionQuery(db).executeTakeFirst();
  return row ? Number(row.value) : 0;
}

/**
 * Moves the data version on (it never goes back) and records the summaries' basis they are written
 * under; returns the new version. Writers take turns from here to the end of the transaction.
 */
export async function nextVersion(tx: Tx, summariesBasis: string): Promise<number> {
  await lockVersion(tx);
  const version = (await readVersion(tx)) + 1;
  await setMeta(tx, META_KEYS.version, String(version));
  await setMeta(tx, META_KEYS.summariesBasis, summariesBasis);
  return version;
}

/**
 * Gives each item the id of the stored row with its name, or the next free id, and writes it.
 * Returns name -> id for every item.
 */
export async function upsertByName<T extends { name: string }>(
  existing: { id: number; name: string }[],
  items: T[],
  write: (item: T, id: number, exists: boolean) => Promise<unknown>,
): Promise<Map<string, number>> {
  const ids = new Map(existing.map((row) => [row.name, row.id]));
  let nextId = Math.max(0, ...ids.values()) + 1;
  for (const item of items) {
    const storedId = ids.get(item.name);
    const id = storedId ?? nextId++;
    await write(item, id, storedId !== undefined);
    ids.set(item.name, id);
  }
  return ids;
}
