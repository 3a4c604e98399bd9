import { eq } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { type StoreMetaKey, storeMeta } from '../schema';

/** Facts about the store kept in the file itself (last maintenance, last vacuum). */
export class StoreMetaRepository {
  constructor(private readonly connection: Connection) {}

  get(key: StoreMetaKey): number | null {
    return this.connection.orm.select().from(storeMeta).where(eq(storeMeta.key, key)).get()?.value ?? null;
  }

  set(key: StoreMetaKey, value: number): void {
    this.connection.orm
      .insert(storeMeta)
      .values({ key, value })
      .onConflictDoUpdate({ target: storeMeta.key, set: { value } })
      .run();
  }
}
