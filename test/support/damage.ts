import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Real damage written into real files, the ways disks and crashes damage them. Each
 * function works on a closed store file (its WAL merged into the main file on close).
 */

/** Overwrite the 100-byte SQLite header with garbage: the first query fails with SQLITE_NOTADB. */
export function overwriteHeader(dbPath: string): void {
  writeAt(dbPath, 0, Buffer.alloc(100, 0x5a));
}

/** Cut the file short in the middle of a page, as a crash during a copy would. */
export function truncateFile(dbPath: string, keepBytes?: number): void {
  const size = fs.statSync(dbPath).size;
  fs.truncateSync(dbPath, keepBytes ?? Math.floor(size / 2) + 123);
}

/** The page number and page size of a table's root page. */
export function rootPageOf(dbPath: string, table: string): { page: number; pageSize: number } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db
      .prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(table) as { rootpage: number } | undefined;
    if (!row) throw new Error(`no table ${table} in ${dbPath}`);
    return { page: row.rootpage, pageSize: db.pragma('page_size', { simple: true }) as number };
  } finally {
    db.close();
  }
}

/**
 * Flip bits in a table's root page, in its cell-pointer array (bytes 8-11 of a leaf page):
 * the file still opens and reads its header, and only quick_check finds the damage.
 */
export function flipBytesInPage(dbPath: string, table: string): void {
  const { page, pageSize } = rootPageOf(dbPath, table);
  const offset = (page - 1) * pageSize + 8;
  const fd = fs.openSync(dbPath, 'r+');
  try {
    const bytes = Buffer.alloc(4);
    fs.readSync(fd, bytes, 0, 4, offset);
    for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0xff;
    fs.writeSync(fd, bytes, 0, 4, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Lower the cell count of a table's root page, a leaf (bytes 3-4 of its header), to `cells`:
 * the table loses rows its indexes still hold. quick_check then reports the page's lost
 * bytes and, in a row of its own, each index whose number of entries is wrong.
 */
export function dropCellsFromRootPage(dbPath: string, table: string, cells: number): void {
  const { page, pageSize } = rootPageOf(dbPath, table);
  const count = Buffer.alloc(2);
  count.writeUInt16BE(cells);
  writeAt(dbPath, (page - 1) * pageSize + 3, count);
}

/**
 * Make the record header of a table's first row claim more bytes than the row holds. The
 * b-tree stays sound: only reading the row finds the damage (quick_check's pass over the
 * rows reports "database disk image is malformed"). The table's root page must be a leaf.
 */
export function damageFirstRecordHeader(dbPath: string, table: string): void {
  const { page, pageSize } = rootPageOf(dbPath, table);
  const bytes = fs.readFileSync(dbPath).subarray((page - 1) * pageSize, page * pageSize);
  let at = bytes.readUInt16BE(8); // the first cell: payload size, rowid (varints), then the record
  for (let varints = 0; varints < 2; varints++) while (bytes[at++]! & 0x80);
  writeAt(dbPath, (page - 1) * pageSize + at, Buffer.from([0x7f]));
}

export function writeAt(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Make the header's count of free pages one too many (bytes 36-39), after freeing a few
 * pages: quick_check then reports exactly one problem line ("Freelist: size is N but
 * should be N+1"), the smallest damage it can find. Returns quick_check's rows.
 */
export function miscountFreePages(dbPath: string): string[] {
  const db = new Database(dbPath);
  try {
    db.exec(
      'CREATE TABLE scratch (b BLOB); INSERT INTO scratch VALUES (zeroblob(20000)); DROP TABLE scratch',
    );
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const header = Buffer.alloc(4);
  const fd = fs.openSync(dbPath, 'r+');
  try {
    fs.readSync(fd, header, 0, 4, 36);
    header.writeUInt32BE(header.readUInt32BE(0) + 1);
    fs.writeSync(fd, header, 0, 4, 36);
  } finally {
    fs.closeSync(fd);
  }
  const check = new Database(dbPath, { readonly: true });
  try {
    return (check.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
  } finally {
    check.close();
  }
}
