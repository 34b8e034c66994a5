export * from './sliding-log';
export * from './errors';
export * from './dynamo-rate-limiter';
export * from './gate';
export * from './table';
