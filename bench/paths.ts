/**
 * File paths that look like a real repository's: a tree of nested folders (shallow and
 * deep, a few crowded ones and many small ones), names of mixed lengths and styles, and
 * a spread of extensions. Deterministic: the same seed and count give the same paths,
 * so runs compare.
 */

/** mulberry32: a tiny seeded PRNG, good enough to shape test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROOTS = [
  'src',
  'packages',
  'lib',
  'test',
  'docs',
  'services',
  'internal',
  'web',
  'tools',
  'vendor',
  'third_party',
  'api',
];

const WORDS = [
  'core',
  'utils',
  'auth',
  'billing',
  'payments',
  'user',
  'account',
  'session',
  'config',
  'handlers',
  'models',
  'views',
  'controllers',
  'middleware',
  'storage',
  'cache',
  'queue',
  'worker',
  'scheduler',
  'search',
  'index',
  'parser',
  'lexer',
  'ast',
  'codegen',
  'runtime',
  'compiler',
  'network',
  'http',
  'grpc',
  'proto',
  'schema',
  'migrations',
  'fixtures',
  'helpers',
  'components',
  'hooks',
  'store',
  'reducers',
  'selectors',
  'styles',
  'assets',
  'images',
  'i18n',
  'locales',
  'metrics',
  'telemetry',
  'tracing',
  'logging',
  'errors',
  'client',
  'server',
  'gateway',
  'router',
  'dashboard',
  'settings',
  'profile',
  'notifications',
  'email',
  'webhooks',
  'integration',
  'e2e',
  'unit',
  'benchmarks',
  'internal',
  'common',
  'shared',
  'platform',
  'kernel',
  'drivers',
  'vectorstore',
  'embeddings',
  'tokenizer',
  'chunking',
  'repository',
  'service',
  'adapter',
  'provider',
  'permissions',
  'roles',
  'audit',
  'export',
  'import',
  'reporting',
  'analytics',
  'experiments',
  'flags',
];

const EXTENSIONS = [
  ['ts', 20],
  ['tsx', 8],
  ['js', 8],
  ['py', 12],
  ['go', 10],
  ['java', 6],
  ['rs', 4],
  ['md', 6],
  ['json', 5],
  ['yaml', 3],
  ['css', 3],
  ['html', 2],
  ['sql', 2],
  ['c', 2],
  ['h', 2],
  ['proto', 1],
  ['sh', 1],
  ['txt', 1],
] as const;
const EXTENSION_TOTAL = EXTENSIONS.reduce((sum, [, weight]) => sum + weight, 0);

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function extension(random: () => number): string {
  let r = random() * EXTENSION_TOTAL;
  for (const [ext, weight] of EXTENSIONS) {
    r -= weight;
    if (r < 0) return ext;
  }
  return 'ts';
}

function folderName(random: () => number): string {
  const r = random();
  if (r < 0.75) return pick(random, WORDS);
  if (r < 0.92) return `${pick(random, WORDS)}-${pick(random, WORDS)}`;
  if (r < 0.97) return `${pick(random, WORDS)}_${pick(random, WORDS)}_v${1 + Math.floor(random() * 3)}`;
  return `@${pick(random, WORDS)}`;
}

function fileName(random: () => number, serial: number): string {
  const r = random();
  const a = pick(random, WORDS);
  const b = pick(random, WORDS);
  let stem: string;
  if (r < 0.3) stem = a;
  else if (r < 0.55) stem = `${a}-${b}`;
  else if (r < 0.75) stem = `${a}_${b}`;
  else if (r < 0.9) stem = `${a[0]!.toUpperCase()}${a.slice(1)}${b[0]!.toUpperCase()}${b.slice(1)}`;
  else stem = `${a}.${b}.${pick(random, ['spec', 'test', 'stories', 'generated', 'd'])}`;
  // A short serial keeps names unique without making every name look generated.
  return `${stem}${serial.toString(36)}.${extension(random)}`;
}

/**
 * `count` distinct repository paths. About one folder per 12 files; a new folder nests
 * under an existing one, so the tree grows deep where it is already busy.
 */
export function repositoryPaths(count: number, seed = 0x5eed): string[] {
  const random = seededRandom(seed);
  const folders: string[] = [...ROOTS];
  const known = new Set(folders);
  const targetFolders = Math.max(ROOTS.length, Math.ceil(count / 12));
  let attempts = 0;
  while (folders.length < targetFolders && attempts++ < targetFolders * 20) {
    const parent = folders[Math.floor(random() ** 1.6 * folders.length)]!;
    if (parent.split('/').length >= 8) continue;
    const child = `${parent}/${folderName(random)}`;
    if (known.has(child)) continue;
    known.add(child);
    folders.push(child);
  }
  const paths = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    // Skewed: some folders hold hundreds of files, most hold a handful.
    const folder = folders[Math.floor(random() ** 1.6 * folders.length)]!;
    paths[i] = `${folder}/${fileName(random, i)}`;
  }
  return paths;
}

/** Mean and longest path length, for the report. */
export function describePaths(paths: readonly string[]): {
  meanLength: number;
  maxLength: number;
  maxDepth: number;
} {
  let total = 0;
  let maxLength = 0;
  let maxDepth = 0;
  for (const p of paths) {
    total += p.length;
    maxLength = Math.max(maxLength, p.length);
    maxDepth = Math.max(maxDepth, p.split('/').length);
  }
  return { meanLength: paths.length ? Math.round(total / paths.length) : 0, maxLength, maxDepth };
}
