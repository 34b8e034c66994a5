/**
 * The rate-limit table, in the shape of infra/wiring.ts `TableSpec` (proposed to the lead; this
 * module does not import infra). Two small items per limiter; TTL cleans up abandoned limiters.
 */
export const RATE_LIMIT_TABLE_SPEC = {
  name: 'rate-limits',
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const;

export const RATE_LIMIT_ENV = {
  tableName: 'RATE_LIMIT_TABLE_NAME',
  name: 'RATE_LIMIT_NAME',
  perMinute: 'MONCRENEAU_RATE_PER_MINUTE',
  perHour: 'MONCRENEAU_RATE_PER_HOUR',
} as const;
