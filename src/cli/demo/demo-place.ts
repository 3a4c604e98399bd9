import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveStoreLocation, type StoreLocation } from '../../config/store-paths';

/** The options of `cidx-progress demo`. */
export interface DemoOptions {
  project?: string;
  dir?: string;
  repo?: string;
  interruptAt?: number;
  yes?: boolean;
  readStdin?: boolean;
  delay?: number;
  story?: boolean;
}

/** The demo's project id unless --project says otherwise (not the current repository's: the demo is its own project). */
export const DEMO_PROJECT = 'demo';

/** Where a demo run keeps its store, and the repository it walks. */
export interface DemoPlace {
  target: StoreLocation;
  repoDir: string;
  ownRepo: boolean;
}

/**
 * The store is `{dir}/{project}.db`, dir a new temporary folder unless --dir is given; the
 * demo's own repository lives beside it in `{dir}/demo-repo`, unless --repo names one.
 */
export function demoPlace(options: DemoOptions, cwd: string): DemoPlace {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cidx-progress-demo-'));
  const target = resolveStoreLocation({ projectId: options.project ?? DEMO_PROJECT, dir, cwd });
  const ownRepo = !options.repo;
  return {
    target,
    repoDir: options.repo ? path.resolve(cwd, options.repo) : path.join(target.dir, 'demo-repo'),
    ownRepo,
  };
}
