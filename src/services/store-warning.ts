import type { ProgressStoreError } from '../errors';

/**
 * Something the store could not do but handled without throwing into the caller's sync
 * (told through `onWarning`). In a file of its own so the public types reach no
 * driver types through it.
 */
export interface StoreWarning {
  code: ProgressStoreError['code'] | 'RECOVERED' | 'OWNERSHIP_LOST';
  message: string;
  error?: unknown;
}
