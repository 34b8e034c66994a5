/**
 * MONCRENEAU's Production Checklist, line by line, and how each line is answered: a check run now on the
 * target, the part of the kit that implements it (with the test or document that proves it), or what a
 * person must confirm. `docs/go-live.md` is the same mapping for readers; a unit test proves every
 * `proof` path exists, so the map cannot point at something that is not there.
 */
import type { ChecklistSection } from './types';

export const CHECKLIST: readonly ChecklistSection[] = [
  {
    title: '1. API Keys Configuration',
    lines: [
      { text: 'Production keys generated and stored securely', answers: [{ check: 'secretsReal' }, { kit: 'Secrets Manager, KMS-encrypted, read only by the functions that call MONCRENEAU', proof: 'test/infra/stack.test.ts' }] },
      { text: 'Production keys are stored in environment variables (not hardcoded)', answers: [{ kit: 'functions get the secret ARN, never the value; locally .env (git-ignored)', proof: 'test/unit/function-env.test.ts' }] },
      { text: 'Production keys are NOT committed to Git (.env in .gitignore)', answers: [{ check: 'repositoryScan' }] },
      { text: 'Key rotation planned (minimum every 6 months)', answers: [{ check: 'keyRotation' }, { kit: 'rotation schedule ≤ 180 days, key-age alarm, `npm run keys`', proof: 'docs/rotation.md' }] },
      { text: 'Development configuration for local tests', answers: [{ kit: '`npm start`: the same handlers on emulators beside the MONCRENEAU sandbox', proof: 'docs/local-development.md' }] },
      { text: 'Production configuration only in production', answers: [{ check: 'stageConfig' }] },
      { text: 'Different environment variables per environment', answers: [{ kit: 'one typed config per stage, its own resources and secrets per stage', proof: 'test/unit/stages.test.ts' }] },
    ],
  },
  {
    title: '2. Webhooks',
    lines: [
      { text: 'Webhook URL in HTTPS (valid SSL certificate)', answers: [{ check: 'webhookHttps' }, { kit: 'a regional API Gateway endpoint: HTTPS only, AWS-managed certificate', proof: 'test/infra/stack.test.ts' }] },
      { text: 'Webhook URL publicly accessible (not localhost)', answers: [{ check: 'webhookPublic' }, { byHand: 'the URL registered in the MONCRENEAU dashboard is the stage\'s WebhookReceiverUrl output, and a dashboard test delivery arrives (`npm run events`)' }] },
      { text: 'Webhook secret secured (32+ random characters)', answers: [{ check: 'webhookSecretLength' }] },
      { text: 'HMAC signature verification implemented', answers: [{ check: 'webhookUnsignedRefused' }, { kit: 'HMAC-SHA256 on the raw bytes, constant-time comparison', proof: 'test/unit/signature.test.ts' }] },
      { text: 'Response in less than 5 seconds', answers: [{ kit: 'the receiver verifies and enqueues only (milliseconds; `npm run bench:webhooks`)', proof: 'test/integration/webhook-handlers.test.ts' }] },
      { text: 'Asynchronous processing configured (queue)', answers: [{ kit: 'SQS queue with DLQ between receiver and processor', proof: 'test/integration/webhook-processing.test.ts' }] },
      { text: 'Event deduplication (tracking by event.id)', answers: [{ kit: 'DynamoDB conditional write per event id', proof: 'test/integration/webhook-processing.test.ts' }] },
      { text: 'Handling multiple deliveries of the same event', answers: [{ kit: 'delivered 5 times, concurrently: applied once', proof: 'test/integration/webhook-processing.test.ts' }] },
      { text: 'Event replay testing', answers: [{ kit: '`npm run events -- replay`, `npm run dlq:redrive`', proof: 'test/integration/webhook-parking.test.ts' }] },
    ],
  },
  {
    title: '3. Security',
    lines: [
      { text: 'All API requests over HTTPS', answers: [{ check: 'moncreneauHttps' }, { kit: 'the client refuses a non-HTTPS base URL (loopback excepted)', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Valid and up-to-date SSL certificate', answers: [{ check: 'moncreneauReachable' }, { kit: 'Node verifies certificates; API Gateway serves AWS-managed certificates', proof: 'docs/deploy.md' }] },
      { text: 'No HTTP in production', answers: [{ check: 'webhookHttps' }, { kit: 'queues refuse non-TLS access; API Gateway is HTTPS only', proof: 'test/infra/stack.test.ts' }] },
      { text: 'API key in header (`Authorization: Bearer <key>`)', answers: [{ check: 'moncreneauReachable' }, { kit: 'X-API-Key by default, Bearer by stage setting', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'No API key in URLs (visible in logs)', answers: [{ kit: 'header only; captured logs are scanned for secrets', proof: 'test/unit/log-scan.test.ts' }] },
      { text: 'Request timeout configured (30s max)', answers: [{ kit: '≤ 30 s per attempt, bounded by the Lambda deadline', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Client-side rate limiting implemented (100 requests/min)', answers: [{ kit: 'GCRA limiter in DynamoDB, shared by every instance', proof: 'test/integration/ratelimit.test.ts' }, { kit: 'outbound load run at 100 requests/min', proof: 'docs/load-testing.md' }] },
      { text: '429 error handling (Too Many Requests)', answers: [{ kit: 'Retry-After honoured, global pause capped at 1 h', proof: 'test/integration/commands-rate-limit.test.ts' }] },
      { text: 'Exponential backoff for retries', answers: [{ kit: '2/4/8 s with full jitter', proof: 'test/unit/moncreneau-client.test.ts' }] },
    ],
  },
  {
    title: '4. Error Handling',
    lines: [
      { text: 'Handling 4xx errors (validation, insufficient credits)', answers: [{ kit: 'typed errors, never retried; 402 syncs the ledger', proof: 'test/integration/commands-scenarios.test.ts' }] },
      { text: 'Handling 5xx errors (retry with backoff)', answers: [{ kit: 'retried with jittered backoff, then DLQ', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Structured error logging with context', answers: [{ kit: 'Powertools JSON logs with request and correlation ids', proof: 'test/integration/webhook-handlers.test.ts' }] },
      { text: 'Alerts on critical errors (Slack, PagerDuty)', answers: [{ check: 'alarmsPresent' }, { check: 'onCallTargets' }, { check: 'testPage' }] },
      { text: 'Automatic retry for 5xx errors and timeouts', answers: [{ kit: 'network errors, 5xx and timeouts retried', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Exponential backoff (2s, 4s, 8s, 16s)', answers: [{ kit: '2/4/8 s bases (3 attempts)', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Maximum 3 attempts', answers: [{ kit: '3 attempts per call', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Dead letter queue for definitive failures', answers: [{ check: 'dlqsEmpty' }, { kit: 'outbound and webhook DLQs with redrive', proof: 'test/integration/outbound-queue.test.ts' }] },
    ],
  },
  {
    title: '5. Credits and Payments',
    lines: [
      { text: 'Balance check before appointment creation', answers: [{ check: 'creditsAboveThreshold' }, { kit: 'the ledger reserves a credit before the call', proof: 'test/integration/credits-ledger.test.ts' }] },
      { text: 'INSUFFICIENT_CREDITS error handling', answers: [{ kit: '402 refused locally or synced from MONCRENEAU', proof: 'test/integration/commands-scenarios.test.ts' }] },
      { text: 'Alerts when credits < threshold (e.g., 10 credits)', answers: [{ check: 'alarmsPresent' }, { kit: 'CreditsLow alarm on the balance the health monitor publishes', proof: 'test/integration/alarms-local.test.ts' }] },
      { text: 'Automatic or manual recharge process configured', answers: [{ check: 'flagsReadable' }, { kit: '`npm run credits -- purchase`, auto-recharge behind the autoRecharge flag (stops after K failures)', proof: 'docs/payments.md' }] },
      { text: 'Payment webhooks configured and tested', answers: [{ kit: 'payment.* events drive the payment state machine', proof: 'test/integration/payments.test.ts' }, { byHand: 'payment events are enabled for the webhook in the MONCRENEAU dashboard' }] },
      { text: 'PENDING, SUCCESSFUL, FAILED status handling', answers: [{ kit: 'conditional transitions, never backwards', proof: 'test/unit/payments-state.test.ts' }] },
      { text: 'Payment timeout handled (5 minutes)', answers: [{ kit: 'polled once, then EXPIRED at 5 minutes (one-minute sweep)', proof: 'test/integration/payments.test.ts' }] },
      { text: 'Automatic credit reload after validated payment', answers: [{ kit: 'credited exactly once (payment#<id>), a late success flagged for reconciliation', proof: 'test/integration/payments.test.ts' }] },
    ],
  },
  {
    title: '6. Monitoring and Observability',
    lines: [
      { text: 'Number of appointments created/day', answers: [{ kit: 'AppointmentsCreated metric, dashboard', proof: 'test/infra/alarms.test.ts' }] },
      { text: 'API request success/error rate', answers: [{ kit: 'MoncreneauCalls/MoncreneauCallErrors, alarm on the rate', proof: 'test/infra/alarms.test.ts' }] },
      { text: 'Average response time (< 200ms)', answers: [{ kit: 'MoncreneauCallLatencyMs, alarm above 200 ms', proof: 'test/infra/alarms.test.ts' }] },
      { text: 'Number of webhook events received', answers: [{ kit: 'WebhooksReceived metric, dashboard', proof: 'test/infra/alarms.test.ts' }] },
      { text: 'Remaining credits balance', answers: [{ check: 'creditsAboveThreshold' }, { kit: 'CreditsRemaining metric every 5 minutes', proof: 'test/infra/alarms.test.ts' }] },
      { text: 'Structured logs (JSON)', answers: [{ kit: 'Powertools Logger', proof: 'test/integration/webhook-handlers.test.ts' }] },
      { text: 'Appropriate log level (INFO in prod, DEBUG in dev)', answers: [{ kit: 'logLevel per stage', proof: 'test/unit/stages.test.ts' }] },
      { text: 'Request correlation (request ID)', answers: [{ kit: 'X-Request-Id out, Lambda request id and event id in every log line', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'No sensitive data logged (API keys, tokens)', answers: [{ kit: 'captured logs of the whole test run scanned for secrets', proof: 'test/unit/log-scan.test.ts' }] },
      { text: 'Alerts on 5xx errors (> 5% of requests)', answers: [{ check: 'alarmsQuiet' }, { kit: 'Webhook5xxRate and MoncreneauErrorRate alarms', proof: 'test/infra/alarms.test.ts' }] },
      { text: 'Alerts on insufficient credits', answers: [{ kit: 'CreditsLow and InsufficientCredits alarms', proof: 'test/integration/alarms-local.test.ts' }] },
      { text: 'Alerts on payment failures', answers: [{ kit: 'PaymentFailures, PaymentsNeedingReconciliation and AutoRechargeStopped alarms', proof: 'test/infra/alarms.test.ts' }] },
      { text: 'Alerts on unprocessed webhooks (> 1h)', answers: [{ kit: 'oldest message age and stuck-event alarms', proof: 'test/integration/alarms-local.test.ts' }] },
    ],
  },
  {
    title: '7. Performance',
    lines: [
      { text: 'Parallel API requests when possible', answers: [{ kit: 'commands run in parallel workers under one shared limit', proof: 'test/integration/commands-rate-limit.test.ts' }] },
      { text: 'Cache rarely changing data (departments, services)', answers: [{ kit: 'departments and availability cached with a TTL', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Pagination for lists (max 100 per page)', answers: [{ kit: 'pages of 100', proof: 'test/unit/moncreneau-client.test.ts' }] },
      { text: 'Compression enabled (gzip)', answers: [{ kit: 'Accept-Encoding gzip, decompression capped', proof: 'test/unit/moncreneau-client-decompression.test.ts' }] },
    ],
  },
  {
    title: '8. Testing',
    lines: [
      { text: 'Unit tests for critical functions', answers: [{ kit: '`npm test`', proof: 'test/unit' }] },
      { text: 'Integration tests with TEST API', answers: [{ kit: 'contract test, run against the sandbox in `npm test`', proof: 'test/contract/moncreneau-api.contract.test.ts' }, { byHand: 'run the contract test against MONCRENEAU with MONCRENEAU_TEST_API_KEY set (docs/load-testing.md)' }] },
      { text: 'Load tests (100 requests/min)', answers: [{ kit: '`npm run load`: 100 requests/min outbound with 0 × 429; 10 000 webhooks under faults, 0 lost, 0 double-applied', proof: 'docs/load-testing.md' }, { kit: 'the short load run in `npm test`', proof: 'test/integration/load-short.test.ts' }] },
      { text: 'Webhook tests (ngrok + test events)', answers: [{ check: 'webhookSignedAccepted' }, { kit: 'signed deliveries through the local stack', proof: 'test/integration/webhook-hostile.test.ts' }] },
      { text: 'Error handling tests', answers: [{ kit: 'hostile bodies', proof: 'test/integration/webhook-hostile.test.ts' }, { kit: 'processor killed mid-batch, DynamoDB/SQS errors, sandbox 5xx and timeouts', proof: 'test/integration/load-short.test.ts' }] },
      { text: 'Appointment creation', answers: [{ kit: 'create scenario', proof: 'test/integration/commands-scenarios.test.ts' }] },
      { text: 'Appointment modification', answers: [{ kit: 'update scenario', proof: 'test/integration/commands-scenarios.test.ts' }] },
      { text: 'Cancellation with credit refund', answers: [{ kit: 'cancel refunds once', proof: 'test/integration/credits-cancel-refund.test.ts' }] },
      { text: 'Insufficient credits', answers: [{ kit: '402 scenario', proof: 'test/integration/commands-scenarios.test.ts' }] },
      { text: 'Webhook received and processed', answers: [{ check: 'webhookSignedAccepted' }] },
      { text: 'End-to-end Orange Money payment', answers: [{ kit: 'purchase → PENDING → SUCCESSFUL → credited once', proof: 'test/integration/payments.test.ts' }] },
    ],
  },
  {
    title: '9. Documentation',
    lines: [
      { text: 'System architecture documented', answers: [{ kit: 'architecture and layers', proof: 'docs/architecture.md' }] },
      { text: 'Incident runbook (who to contact, procedures)', answers: [{ check: 'emergencyContact' }, { kit: 'a section per alarm', proof: 'docs/runbook.md' }] },
      { text: 'API key management documented', answers: [{ kit: 'where keys live and how they are set', proof: 'docs/deploy.md' }] },
      { text: 'Key rotation process', answers: [{ kit: 'stage, test, promote, revoke', proof: 'docs/rotation.md' }] },
      { text: 'Monitoring dashboard accessible', answers: [{ kit: 'a CloudWatch dashboard per stage (DashboardUrl output)', proof: 'test/infra/alarms.test.ts' }, { byHand: 'open the DashboardUrl output with an on-call account' }] },
    ],
  },
  {
    title: '10. Backup and Rollback',
    lines: [
      { text: 'Rollback strategy defined (< 5 minutes)', answers: [{ kit: 'canary with automatic rollback, `npm run rollback`', proof: 'docs/rollback.md' }] },
      { text: 'Critical data backup', answers: [{ check: 'pitr' }, { kit: 'restore procedure', proof: 'docs/restore.md' }] },
      { text: 'Feature flags to disable features', answers: [{ check: 'flagsReadable' }] },
      { text: 'MONCRENEAU emergency contact known', answers: [{ check: 'emergencyContact' }] },
    ],
  },
  {
    title: 'Final Verification',
    lines: [
      { text: 'Check environment variables', answers: [{ check: 'stageConfig' }, { check: 'secretsReal' }] },
      { text: 'Test API connection', answers: [{ check: 'moncreneauReachable' }] },
      { text: 'Verify webhooks', answers: [{ check: 'webhookSignedAccepted' }, { check: 'webhookUnsignedRefused' }] },
      { text: 'Check monitoring', answers: [{ check: 'alarmsPresent' }, { check: 'alarmsQuiet' }] },
      { text: 'Verify alerts (send a test alert)', answers: [{ check: 'testPage' }] },
    ],
  },
];
