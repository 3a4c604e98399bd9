import { eq, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { type StoreMetaKey, storeMeta } from '../schema';

/** One store_meta row whose key carries data of its own (a lease owner, an archive batch). */
export interface StoreMetaEntry {
  key: string;
  value: number;
}

/**
 * Facts about the store kept in the file itself (last maintenance, last vacuum), and rows
 * keyed by a prefix plus their own data (the maintenance lease, archive batches being
 * settled): the table has integer values only, so what a row says beyond one number is in
 * its key.
 */
export class StoreMetaRepository {
  constructor(private readonly connection: Connection) {}

  get(key: StoreMetaKey): number | null {
    return this.connection.orm.select().from(storeMeta).where(eq(storeMeta.key, key)).get()?.value ?? null;
  }

  set(key: StoreMetaKey, value: number): void {
    this.put(key, value);
  }

  /** Rows whose key starts with `prefix` (compared as text, no LIKE wildcards), in key order. */
  listPrefixed(prefix: string): StoreMetaEntry[] {
    return this.connection.orm
      .select()
      .from(storeMeta)
      .where(sql`substr(${storeMeta.key}, 1, ${prefix.length}) = ${prefix}`)
      .orderBy(storeMeta.key)
      .all();
  }

  /** Whether a row has exactly this key (one that carries its own data, as put() writes them). */
  has(key: string): boolean {
    return this.connection.orm.select().from(storeMeta).where(eq(storeMeta.key, key)).get() !== undefined;
  }

  put(key: string, value: number): void {
    this.connection.orm
      .insert(storeMeta)
      .values({ key, value })
      .onConflictDoUpdate({ target: storeMeta.key, set: { value } })
      .run();
  }

  /** Returns true when the row was there. */
  remove(key: string): boolean {
    return this.connection.orm.delete(storeMeta).where(eq(storeMeta.key, key)).run().changes === 1;
  }
}
