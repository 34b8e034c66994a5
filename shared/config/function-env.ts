/**
 * Every environment variable a function is given, by function. infra/wiring.ts binds exactly these
 * (its types refuse a missing or an extra one) and the composition roots (shared/composition) read
 * them from here, so a variable cannot be wired without being read: test/unit/function-env.test.ts
 * builds every function and checks each wired name was read.
 */

/** What every function that calls MONCRENEAU needs: where, how to authenticate, and the shared limits. */
export const MONCRENEAU_CALLER_ENV = {
  baseUrl: 'MONCRENEAU_BASE_URL',
  authScheme: 'MONCRENEAU_AUTH_SCHEME',
  apiKeySecretArn: 'MONCRENEAU_API_KEY_SECRET_ARN',
  rateLimitTable: 'RATE_LIMIT_TABLE_NAME',
  ratePerMinute: 'MONCRENEAU_RATE_PER_MINUTE',
  ratePerHour: 'MONCRENEAU_RATE_PER_HOUR',
} as const;

/** What the command API and the worker both use: MONCRENEAU access, the command store, the ledger, the kill switch. */
export const COMMANDS_ENV = {
  ...MONCRENEAU_CALLER_ENV,
  commandsTable: 'COMMANDS_TABLE_NAME',
  ledgerTable: 'LEDGER_TABLE_NAME',
  flagsTable: 'FLAGS_TABLE_NAME',
  outboundQueueUrl: 'OUTBOUND_QUEUE_URL',
  refuseWhenNoCredits: 'REFUSE_WHEN_NO_CREDITS',
} as const;

/** What every function that applies payment reports needs: the payments table and the deadline. */
export const PAYMENTS_ENV = {
  paymentsTable: 'PAYMENTS_TABLE_NAME',
  paymentTimeoutMinutes: 'PAYMENT_TIMEOUT_MINUTES',
} as const;

export const FUNCTION_ENV = {
  webhookReceiver: {
    eventsQueueUrl: 'EVENTS_QUEUE_URL',
    eventsTable: 'EVENTS_TABLE_NAME',
    eventRetentionDays: 'EVENT_RETENTION_DAYS',
    webhookSecretArn: 'WEBHOOK_SECRET_ARN',
    maxBodyBytes: 'MAX_BODY_BYTES',
    maxEventAgeSeconds: 'MAX_EVENT_AGE_SECONDS',
  },
  webhookProcessor: {
    eventsTable: 'EVENTS_TABLE_NAME',
    appointmentsTable: 'APPOINTMENTS_TABLE_NAME',
    ledgerTable: 'LEDGER_TABLE_NAME',
    lowCreditThreshold: 'LOW_CREDIT_THRESHOLD',
    eventRetentionDays: 'EVENT_RETENTION_DAYS',
    appointmentRetentionDays: 'APPOINTMENT_RETENTION_DAYS',
    processingLeaseSeconds: 'PROCESSING_LEASE_SECONDS',
    ...PAYMENTS_ENV,
  },
  healthMonitor: {
    ledgerTable: 'LEDGER_TABLE_NAME',
    eventsTable: 'EVENTS_TABLE_NAME',
    lowCreditThreshold: 'LOW_CREDIT_THRESHOLD',
    stuckEventMinutes: 'STUCK_EVENT_MINUTES',
    eventRetentionDays: 'EVENT_RETENTION_DAYS',
    // The secrets whose age (days since the value in use was written) it publishes.
    apiKeySecretArn: 'MONCRENEAU_API_KEY_SECRET_ARN',
    webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  },
  secretRotation: {
    apiKeySecretArn: 'MONCRENEAU_API_KEY_SECRET_ARN',
    webhookSecretArn: 'WEBHOOK_SECRET_ARN',
    // testSecret calls MONCRENEAU with the candidate API key.
    baseUrl: 'MONCRENEAU_BASE_URL',
    authScheme: 'MONCRENEAU_AUTH_SCHEME',
    webhookPreviousWindowHours: 'WEBHOOK_PREVIOUS_WINDOW_HOURS',
  },
  appointmentsApi: {
    ...COMMANDS_ENV,
    commandRetentionDays: 'COMMAND_RETENTION_DAYS',
  },
  outboundWorker: {
    ...COMMANDS_ENV,
    outboundDlqUrl: 'OUTBOUND_DLQ_URL',
    lowCreditThreshold: 'LOW_CREDIT_THRESHOLD',
    ...PAYMENTS_ENV,
  },
  paymentsSweeper: {
    ...COMMANDS_ENV,
    ...PAYMENTS_ENV,
    commandRetentionDays: 'COMMAND_RETENTION_DAYS',
    autoRechargeThreshold: 'AUTO_RECHARGE_THRESHOLD',
    autoRechargeAmount: 'AUTO_RECHARGE_AMOUNT',
    autoRechargeMaxFailures: 'AUTO_RECHARGE_MAX_FAILURES',
  },
} as const;

/**
 * Optional tuning, never wired: production defaults live in the composition roots; tests and
 * benchmarks lower them. Locally the secrets' stand-ins come from shared/config/local-secrets.ts.
 */
export const TUNING_ENV = {
  attemptTimeoutMs: 'MONCRENEAU_TIMEOUT_MS',
  maxAttempts: 'MONCRENEAU_MAX_ATTEMPTS',
  cacheTtlMs: 'MONCRENEAU_CACHE_TTL_MS',
  resetUnit: 'MONCRENEAU_RATELIMIT_RESET_UNIT',
  retryBaseDelayMs: 'MONCRENEAU_RETRY_BASE_DELAY_MS',
  rateLimitName: 'RATE_LIMIT_NAME',
  pauseDelaySeconds: 'OUTBOUND_PAUSE_DELAY_SECONDS',
  deadlineMarginMs: 'OUTBOUND_DEADLINE_MARGIN_MS',
  retryBaseSeconds: 'OUTBOUND_RETRY_BASE_SECONDS',
  flagCacheMs: 'FLAGS_CACHE_TTL_MS',
} as const;
