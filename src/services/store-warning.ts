import type { ProgressStoreError } from '../errors';

/**
 * Something the store could not do but handled without throwing into the caller's sync
 * (told through `onWarning`). In a file of its own so the public types reach no
 * driver types through it.
 */
export interface StoreWarning {
  /**
   * A store error's code when a write failed and will be retried; `RECOVERED`: a full disk
   * was cleaned up; `OWNERSHIP_LOST`: another process took the sync over; `NOT_RECORDING`:
   * a recording call came after the sync ended or the store closed, and was ignored;
   * `WENT_BACKWARDS`: progress or phase went back, and the higher value was kept;
   * `UNREADABLE_PATHS`: git named files that are not valid UTF-8, left out of a merge;
   * `REPEATED_FILES`: completeFiles/skipFiles named a file already finished, passed over.
   */
  code:
    | ProgressStoreError['code']
    | 'RECOVERED'
    | 'OWNERSHIP_LOST'
    | 'NOT_RECORDING'
    | 'WENT_BACKWARDS'
    | 'UNREADABLE_PATHS'
    | 'REPEATED_FILES';
  message: string;
  error?: unknown;
}
