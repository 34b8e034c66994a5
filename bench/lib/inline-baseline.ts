/**
 * The baseline: what the docs' Express example does — verify the signature, then process the event
 * inline in the request (dedupe + apply, credits included) before answering. Same stores, same emulators as the kit.
 */
import type { AppointmentsTable } from '../../shared/adapters/appointments-table';
import type { CreditsLedger } from '../../shared/adapters/credits-ledger';
import type { EventStore } from '../../shared/adapters/event-store';
import { verifySignature } from '../../shared/moncreneau/signature';
import { appointmentAppliers } from '../../shared/webhooks/appliers';
import { createRecordProcessor } from '../../shared/webhooks/processor';

export function inlineBaseline(secret: string, events: EventStore, appointments: AppointmentsTable, ledger: CreditsLedger) {
  const process = createRecordProcessor({ claims: events, appliers: appointmentAppliers(appointments, ledger) });
  let n = 0;
  return async (raw: Buffer, signature: string | undefined): Promise<number> => {
    if (!verifySignature(raw, signature, [secret])) return 401;
    const body = raw.toString('utf8');
    await process({ messageId: String(n++), receiptHandle: '', body, attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: '', awsRegion: '' });
    return 200;
  };
}
