/**
 * `npm run load -- --short` inside the suite: the webhook load with every fault (the processor killed
 * mid-batch, DynamoDB and SQS refusing or losing requests at the wire, a sandbox answering 5xx or not at
 * all to the commands running meanwhile), judged from the stores against the generated ground truth; and
 * the outbound path at 100/min with a default-quota key, counted at the sandbox. Figures: docs/load-testing.md.
 */
import { runOutboundLoad, runWebhookLoad, SHORT_OUTBOUND, SHORT_WEBHOOKS } from '../../scripts/lib/load/settings';
import { emulatorsFromEnv } from '../support/local-helpers';

jest.setTimeout(240_000);

test('webhooks under faults: nothing lost, nothing applied twice, mirror and ledger consistent', async () => {
  const report = await runWebhookLoad({ ...SHORT_WEBHOOKS, emulators: emulatorsFromEnv() });
  const final = report.afterRedrive ?? report.verdict;

  // The faults really happened (a run without them would prove nothing).
  expect(report.input.kills.done).toBe(SHORT_WEBHOOKS.kills);
  expect(report.input.kills.interrupted).toBeGreaterThan(0);
  const injected = report.input.injected!;
  expect(injected.dynamodb.refused + injected.dynamodb.afterWrite).toBeGreaterThan(0);
  expect(injected.sqs.refused + injected.sqs.afterWrite).toBeGreaterThan(0);
  expect(report.verdict.duplicateDeliveries).toBeGreaterThan(0);

  expect(final).toMatchObject({ received: SHORT_WEBHOOKS.events, applied: SHORT_WEBHOOKS.events, lost: 0, doubleApplied: 0, wrongState: 0, inDlq: 0 });
  expect(final.ledgerFromEvents).toBe(final.expectedFromAll);
  expect(final.ledgerSumOk).toBe(true);
  expect(final.ledgerBalance).toBe(final.expectedBalance);
  expect(report.outbound).toMatchObject({ submitted: SHORT_WEBHOOKS.commands, doubleBookings: 0, phantom: 0 });
  expect(report.ok).toBe(true);
});

test('outbound at the limit: no 429, never more than the per-minute limit in any 60 s at the sandbox', async () => {
  const report = await runOutboundLoad({ ...SHORT_OUTBOUND, emulators: emulatorsFromEnv() });
  expect(report.status429).toBe(0);
  expect(report.densest60s).toBeLessThanOrEqual(report.limitPerMinute);
  expect(report.requests).toBeGreaterThanOrEqual(report.succeeded);
  expect(report).toMatchObject({ accepted: report.offered, succeeded: report.offered, failed: 0, open: 0, ok: true });
});
