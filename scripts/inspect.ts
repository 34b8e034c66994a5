/**
 * What happened to webhook events, and what an appointment looks like now.
 *
 *   npm run events                         # recent events: processed / duplicate / failed / parked / in DLQ
 *   npm run events -- show <eventId>       # one event with its raw payload
 *   npm run events -- appointment <id>     # the stored appointment state
 *   npm run events -- replay <eventId>     # process a stored event again (e.g. once its type is supported)
 *   (add --stage <name> to inspect a deployed stage instead of the local stack)
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { AppointmentsTable } from '../shared/adapters/appointments-table';
import { documentClient } from '../shared/adapters/aws-clients';
import { EventStore, type EventRecord, type EventSummary } from '../shared/adapters/event-store';
import { sqsEnqueue } from '../shared/adapters/webhook-queue';
import { fromQueueBody } from '../shared/webhooks/queue-body';
import { fail, parseArgs } from './lib/args';
import { resolveTarget, type Target } from './lib/target';

/** Event ids currently in the DLQ (peeked with a zero visibility timeout, so nothing is held). */
async function dlqEventIds(target: Target): Promise<Set<string>> {
  const dlq = await target.queue('webhookEventsDlq');
  const ids = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const got = await target.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['eventId'] }));
    const messages = got.Messages ?? [];
    const before = ids.size;
    for (const m of messages) {
      const id = m.MessageAttributes?.eventId?.StringValue;
      if (id) ids.add(id);
    }
    if (messages.length === 0 || ids.size === before) break;
  }
  return ids;
}

function statusOf(record: EventSummary, inDlq: Set<string>): string {
  if (inDlq.has(record.eventId)) return 'in DLQ';
  if (record.status === 'COMPLETED') return record.duplicates ? `processed (+${record.duplicates} duplicate)` : 'processed';
  if (record.status === 'PARKED') return 'PARKED (replay it)';
  return record.status.toLowerCase();
}

/** The stored body as JSON when it parses, else as the text it decodes to (never the base64 transport form). */
function readableBody(record: EventRecord): unknown {
  const text = fromQueueBody(record.raw, record.rawEncoding).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function main(): Promise<void> {
  const { positional, options } = parseArgs(process.argv.slice(2));
  const target = resolveTarget(options);
  const db = documentClient(target.dynamodb);
  const events = new EventStore(target.tables.events, { leaseSeconds: 30, retentionDays: 30 }, db);
  const [command = 'list', arg] = positional;

  if (command === 'list') {
    const [recent, inDlq] = await Promise.all([events.recent(Number(options.limit ?? 20)), dlqEventIds(target)]);
    console.log(`${target.label}: ${recent.length} recent event(s), ${inDlq.size} in the DLQ`);
    for (const r of recent) {
      console.log(`${r.receivedAt}  ${r.eventId.padEnd(36)} ${r.eventType.padEnd(24)} ${statusOf(r, inDlq).padEnd(24)} attempts=${r.attempts}${r.outcome ? ` outcome=${r.outcome}` : ''}${r.creditsOutcome ? ` credits=${r.creditsOutcome}` : ''}${r.lastError ? ` error=${r.lastError}` : ''}${r.parkReason ? ` parked=${r.parkReason}` : ''}`);
    }
  } else if (command === 'show') {
    if (!arg) fail('usage: npm run events -- show <eventId>');
    const record = await events.get(arg);
    if (!record) fail(`no event ${arg}`);
    console.log(JSON.stringify({ ...record, raw: readableBody(record) }, null, 2));
  } else if (command === 'appointment') {
    if (!arg) fail('usage: npm run events -- appointment <id>');
    const row = await new AppointmentsTable(target.tables.appointments, { db }).get(arg);
    if (!row) fail(`no appointment ${arg}`);
    console.log(JSON.stringify({ ...row, appliedEventIds: [...(row.appliedEventIds ?? [])] }, null, 2));
  } else if (command === 'replay') {
    if (!arg) fail('usage: npm run events -- replay <eventId>');
    const record = await events.reopen(arg, 'reopened for replay by an operator');
    const queue = await target.queue('webhookEvents');
    await sqsEnqueue(queue.url, target.sqs)({ eventId: record.eventId, eventType: record.eventType, body: { body: record.raw, encoding: record.rawEncoding ?? 'utf8' } });
    console.log(`${target.label}: ${record.eventType} ${record.eventId} re-queued from its stored raw body`);
  } else {
    fail(`unknown command "${command}" (list | show <eventId> | appointment <id> | replay <eventId>)`);
  }
}

main().catch((error: unknown) => fail((error as Error).message));
