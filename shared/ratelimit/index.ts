export * from './gcra';
export * from './errors';
export * from './ports';
export * from './moncreneau-rules';
export * from './gate';
