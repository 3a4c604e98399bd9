export * from './sync-history';
export * from './progress-updates';
export * from './checkpoints';
export * from './checkpoint-files';
export * from './store-meta';
export * from './sync-status';
