/**
 * Every metric the code emits, in one namespace with low-cardinality dimensions. Whatever watches
 * a metric (alarms, dashboards) must use these names only, so that what is watched is what is emitted.
 */
export const METRICS = {
  webhooksReceived: 'WebhooksReceived',
  webhooksRejected: 'WebhooksRejected',
  webhooksEnqueueFailed: 'WebhooksEnqueueFailed',
  webhooksProcessed: 'WebhooksProcessed',
  webhooksDuplicate: 'WebhooksDuplicate',
  webhooksFailed: 'WebhooksFailed',
  webhooksUnknownType: 'WebhooksUnknownType',
  webhookProcessingLagMs: 'WebhookProcessingLagMs',
  appointmentEventsApplied: 'AppointmentEventsApplied',
  creditsRemaining: 'CreditsRemaining',
  creditsLow: 'CreditsLow',
  // Appointment commands (appointments-api, outbound-worker); dimension `type` = create|update|cancel.
  commandsAccepted: 'CommandsAccepted',
  commandsIdempotentReplay: 'CommandsIdempotentReplay',
  commandsSucceeded: 'CommandsSucceeded',
  commandsFailed: 'CommandsFailed',
  commandsRetrying: 'CommandsRetrying',
  commandsPaused: 'CommandsPaused',
  commandsDuplicate: 'CommandsDuplicate',
  // MONCRENEAU calls (client onRequest/onRetry hooks, limiter hooks); dimensions method, outcome.
  moncreneauRequests: 'MoncreneauRequests',
  moncreneauLatencyMs: 'MoncreneauLatencyMs',
  moncreneauRetries: 'MoncreneauRetries',
  moncreneauLocalThrottleMs: 'MoncreneauLocalThrottleMs',
  moncreneauLocalThrottleRejected: 'MoncreneauLocalThrottleRejected',
  appointmentsCreated: 'AppointmentsCreated',
  appointmentsUpdated: 'AppointmentsUpdated',
  appointmentsCancelled: 'AppointmentsCancelled',
  // Dimension `source` = local (ledger, before any call) | api (MONCRENEAU 402).
  insufficientCredits: 'InsufficientCredits',
} as const;

