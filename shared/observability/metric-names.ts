/**
 * Every metric the code emits, in one namespace with low-cardinality dimensions. Alarms and the
 * dashboard refer to these names only, so a test can prove that what is watched is what is emitted.
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
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Why the receiver refused a request; used as the `reason` dimension of WebhooksRejected. */
export type RejectionReason = 'method' | 'content_type' | 'too_large' | 'signature' | 'malformed' | 'too_old';
