/**
 * The credits ledger (being written by the lead — this header documents the contract others code against).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export class InsufficientCreditsLocalError extends Error {
  constructor(readonly balance: number) {
    super(`Insufficient credits: the ledger balance is ${balance}`);
    this.name = 'InsufficientCreditsLocalError';
  }
}

export interface LedgerEntry {
  readonly entryId: string;
  readonly kind: string;
  readonly amount: number;
  readonly reason: string;
  readonly createdAt: string;
}

export class CreditsLedger {
  constructor(
    readonly tableName: string,
    readonly options: { now?: () => Date; db?: DynamoDBDocumentClient } = {},
  ) {}
  balance(): Promise<number> { throw new Error('not yet'); }
  reserveForCommand(_commandId: string, _o: { refuseWhenEmpty: boolean }): Promise<'reserved' | 'already_reserved'> { throw new Error('not yet'); }
  confirmBooking(_commandId: string, _appointmentId: string): Promise<'confirmed' | 'webhook_debited_first' | 'already_confirmed'> { throw new Error('not yet'); }
  releaseReservation(_commandId: string, _reason: string): Promise<'released' | 'not_reserved' | 'already_released'> { throw new Error('not yet'); }
  debitAppointment(_appointmentId: string, _credits: number, _source: string): Promise<'debited' | 'already_debited'> { throw new Error('not yet'); }
  refundAppointment(_appointmentId: string, _credits: number, _source: string): Promise<'refunded' | 'already_refunded'> { throw new Error('not yet'); }
  syncBalance(_value: number, _reason: string): Promise<void> { throw new Error('not yet'); }
}
