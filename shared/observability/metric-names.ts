/**
 * Every metric the code emits, in one namespace with low-cardinality dimensions. Whatever watches
 * a metric (alarms, dashboards) must use these names only, so that what is watched is what is emitted.
 */
export const METRICS = {
  webhooksReceived: 'WebhooksReceived',
  webhooksRejected: 'WebhooksRejected',
  webhooksEnqueueFailed: 'WebhooksEnqueueFailed',
  // A verified event the queue refused for good, kept in the event store as PARKED (an operator replays it).
  webhooksParked: 'WebhooksParked',
  // The signing secret could not be read (503), or is misconfigured (the log line names the problem).
  webhookSecretUnavailable: 'WebhookSecretUnavailable',
  webhookSecretProblem: 'WebhookSecretProblem',
  // Any secret (webhook, API key) unreadable, malformed or missing its field (the log line names the kind).
  secretProblems: 'SecretProblems',
  // Which webhook secret verified a delivery (dimension `secret` = current | previous): the old one unused → done.
  webhookSecretMatched: 'WebhookSecretMatched',
  // Secret rotation (secret-rotation function), dimension `secret` = apiKey | webhookSecret.
  secretRotated: 'SecretRotated',
  rotationFailed: 'RotationFailed',
  // A scheduled rotation found nothing staged: the "rotation due" alarm.
  rotationNothingStaged: 'RotationNothingStaged',
  // Health monitor: days since the value in use was written (AWSCURRENT version), dimension `secret`.
  secretAgeDays: 'SecretAgeDays',
  webhooksProcessed: 'WebhooksProcessed',
  webhooksDuplicate: 'WebhooksDuplicate',
  webhooksFailed: 'WebhooksFailed',
  webhooksUnknownType: 'WebhooksUnknownType',
  webhookProcessingLagMs: 'WebhookProcessingLagMs',
  appointmentEventsApplied: 'AppointmentEventsApplied',
  // Published by the health monitor on a schedule: events not COMPLETED past the threshold.
  stuckWebhookEvents: 'StuckWebhookEvents',
  creditsRemaining: 'CreditsRemaining',
  creditsLow: 'CreditsLow',
  // Appointment commands (appointments-api, outbound-worker); dimension `type` = create|update|cancel.
  commandsAccepted: 'CommandsAccepted',
  commandsIdempotentReplay: 'CommandsIdempotentReplay',
  commandsIdempotencyExpired: 'CommandsIdempotencyExpired',
  commandsSucceeded: 'CommandsSucceeded',
  commandsFailed: 'CommandsFailed',
  commandsRetrying: 'CommandsRetrying',
  commandsPaused: 'CommandsPaused',
  commandsDuplicate: 'CommandsDuplicate',
  // MONCRENEAU calls (client onRequest/onRetry hooks, limiter hooks); dimensions method, outcome.
  moncreneauRequests: 'MoncreneauRequests',
  // The same calls with only the function's dimensions, for the error-rate and latency alarms.
  moncreneauCalls: 'MoncreneauCalls',
  moncreneauCallErrors: 'MoncreneauCallErrors',
  moncreneauCallLatencyMs: 'MoncreneauCallLatencyMs',
  moncreneauLatencyMs: 'MoncreneauLatencyMs',
  moncreneauRetries: 'MoncreneauRetries',
  moncreneauLocalThrottleMs: 'MoncreneauLocalThrottleMs',
  moncreneauLocalThrottleRejected: 'MoncreneauLocalThrottleRejected',
  appointmentsCreated: 'AppointmentsCreated',
  appointmentsUpdated: 'AppointmentsUpdated',
  appointmentsCancelled: 'AppointmentsCancelled',
  // Dimension `source` = local (ledger, before any call) | api (MONCRENEAU 402).
  insufficientCredits: 'InsufficientCredits',
  // Credit purchases (docs/payments.md), counted on the write that made the transition, whoever made it
  // (webhook processor, payments sweeper's poll or deadline, outbound worker's POST answer).
  paymentsSucceeded: 'PaymentsSucceeded',
  paymentsFailed: 'PaymentsFailed',
  paymentsExpired: 'PaymentsExpired',
  paymentsNeedingReconciliation: 'PaymentsNeedingReconciliation',
  // Automatic recharge (payments sweeper): purchases started, and a gauge (1 while stopped after K failures).
  autoRechargeStarted: 'AutoRechargeStarted',
  autoRechargeStopped: 'AutoRechargeStopped',
} as const;

