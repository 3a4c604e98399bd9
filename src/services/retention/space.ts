import type { StoreFileRepository } from '../../repositories/store-file.repository';
import type { StoreSize } from './maintenance-report';

/**
 * The file's space, and giving it back. The store's files use auto_vacuum=INCREMENTAL
 * (see db/connection.ts): deleted rows leave free pages that later writes reuse, and
 * `incremental_vacuum` hands them back to the file system in small steps. A full VACUUM
 * rewrites the file (also undoing half-empty pages) but holds the write lock throughout.
 * The engine calls themselves are the store-file repository's.
 */
export interface SpaceFigures extends StoreSize {
  pageSize: number;
  /** Bytes in pages holding data: fileBytes - freeBytes. */
  usedBytes: number;
}

export function measureSpace(storeFile: StoreFileRepository): SpaceFigures {
  const { pageSize, pageCount, freePages } = storeFile.pageCounts();
  return {
    pageSize,
    fileBytes: pageCount * pageSize,
    freeBytes: freePages * pageSize,
    usedBytes: (pageCount - freePages) * pageSize,
    walBytes: storeFile.walBytes(),
  };
}

/** The public part of the figures, for the report. */
export function sizeOf(figures: SpaceFigures): StoreSize {
  return { fileBytes: figures.fileBytes, freeBytes: figures.freeBytes, walBytes: figures.walBytes };
}
