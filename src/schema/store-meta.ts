import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Small key/value facts about the store itself that must survive restarts:
 * when maintenance and the last full VACUUM ran (so "daily" and "monthly" hold across
 * processes), kept in the database rather than in memory.
 */
export const storeMeta = sqliteTable('store_meta', {
  key: text('key').primaryKey(),
  value: integer('value').notNull(),
});

export type StoreMetaKey = 'last_maintenance_at' | 'last_vacuum_at';
