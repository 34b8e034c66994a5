/**
 * Executes one RUNNING command against MONCRENEAU and settles the credits ledger. Returns what
 * happened; the caller (worker.ts) records it. Never resends a create blindly: from the second
 * execution on, the booking is looked up first (same externalUserId, name, department and slot:
 * matchBooking), and the client itself looks it up after any uncertain attempt.
 */
import { InsufficientCreditsLocalError } from '../credits/errors';
import type { ConfirmOutcome, Ledger, RefundOutcome } from '../credits/ports';
import { refundOnCancel } from '../credits/rules';
import { ConflictError, InsufficientCreditsError, ValidationError } from '../moncreneau/client/errors';
import { findBooking, type FoundBooking, type LookupField } from '../moncreneau/client/resources/appointments';
import type { Appointment, CallOptions, CreateAppointmentRequest } from '../moncreneau/client/types';
import type { PaymentApplied } from '../payments/apply';
import { executePurchase, type PurchaseDeps } from '../payments/purchase';
import { failureKind, reportedAvailableCredits, toCommandError } from './failure-kind';
import type { AppointmentsPort } from './ports';
import type { CommandError, CommandRecord, CommandResult } from './types';

export interface ExecuteDeps {
  readonly ledger: Ledger;
  readonly appointments: AppointmentsPort;
  readonly refuseWhenEmpty: boolean;
  /** Credit purchases (outbound worker); absent where no purchase is executed. */
  readonly purchases?: PurchaseDeps;
}

export type Execution =
  | { readonly kind: 'succeeded'; readonly result: CommandResult; readonly ledger?: ConfirmOutcome | RefundOutcome; readonly payment?: PaymentApplied }
  | { readonly kind: 'definitive'; readonly error: CommandError; readonly cause?: unknown; readonly insufficientCredits?: 'local' | 'api' }
  | { readonly kind: 'transient'; readonly error: CommandError; readonly cause: unknown };

/** One reservation per execution round: a DLQ replay after a released reservation must hold a new credit. */
export function reservationId(command: CommandRecord): string {
  return command.failures === 0 ? command.commandId : `${command.commandId}#rerun${command.failures}`;
}

/** `phone`: a purchase's payer phone, from the queue message (never stored). */
export async function executeCommand(deps: ExecuteDeps, command: CommandRecord, call: CallOptions, phone?: string): Promise<Execution> {
  try {
    switch (command.payload.type) {
      case 'create':
        return await executeCreate(deps, command, command.payload.request, call);
      case 'update': {
        const appointment = await deps.appointments.update(command.payload.appointmentId, command.payload.changes, call);
        return { kind: 'succeeded', result: { appointment, outcome: 'updated' } };
      }
      case 'cancel':
        return await executeCancel(deps, command, command.payload.appointmentId, call);
      case 'purchase':
        return await executePurchaseCommand(deps, command, phone, call);
    }
  } catch (error) {
    return failed(error, command);
  }
}

function failed(error: unknown, command: CommandRecord): Execution {
  if (failureKind(error, command.type) === 'transient') return { kind: 'transient', error: toCommandError(error), cause: error };
  return { kind: 'definitive', error: toCommandError(error), cause: error, ...(error instanceof InsufficientCreditsError ? { insufficientCredits: 'api' as const } : {}) };
}

async function executeCreate(deps: ExecuteDeps, command: CommandRecord, request: CreateAppointmentRequest, call: CallOptions): Promise<Execution> {
  const reservation = reservationId(command);
  try {
    await deps.ledger.reserveForCommand(reservation, { refuseWhenEmpty: deps.refuseWhenEmpty });
  } catch (error) {
    if (!(error instanceof InsufficientCreditsLocalError)) throw error;
    return {
      kind: 'definitive',
      error: { code: 'INSUFFICIENT_CREDITS', message: `Not enough credits: the ledger balance is ${error.balance}; MONCRENEAU was not called` },
      insufficientCredits: 'local',
    };
  }
  try {
    const found = command.attempts > 1 ? await lookUp(deps, request, call) : undefined;
    const { appointment, outcome, matchedWithout } = found
      ? { appointment: found.appointment, outcome: 'recovered' as const, matchedWithout: found.without }
      : await deps.appointments.createDetailed(request, call);
    const ledger = await deps.ledger.confirmBooking(reservation, String(appointment.id));
    return { kind: 'succeeded', result: { appointment, outcome, ...lookupNote(appointment, matchedWithout) }, ledger };
  } catch (error) {
    const execution = failed(error, command);
    if (execution.kind === 'definitive') {
      // Release first, then set the balance MONCRENEAU reported (minus what other commands in flight
      // hold), so the ledger ends on its value. Only a 402 INSUFFICIENT_CREDITS with a numeric
      // `available` says what the balance is; any other definitive failure fails this command only.
      await deps.ledger.releaseReservation(reservation, `command ${command.commandId} failed: ${execution.error.code}`);
      const available = reportedAvailableCredits(error);
      if (available !== undefined) {
        await deps.ledger.syncBalance(available, `402 INSUFFICIENT_CREDITS (available ${available}) on command ${command.commandId}`, `402#${reservation}`);
      }
    }
    return execution;
  }
}

/** A redelivered create: did an earlier execution book it already? (matchBooking: our externalUserId, name, department and slot.) */
async function lookUp(deps: ExecuteDeps, request: CreateAppointmentRequest, call: CallOptions): Promise<FoundBooking | undefined> {
  return findBooking(deps.appointments.iterate({ externalUserId: request.externalUserId, departmentId: request.departmentId }, call), request);
}

/** An adopted booking whose list item did not echo a field we match on: say so on the result (GET /commands/{id}). */
function lookupNote(appointment: Appointment, without: readonly LookupField[] | undefined) {
  if (!without || without.length === 0) return {};
  const compared = ['externalUserId', 'name'].filter((f) => !without.includes(f as LookupField));
  return {
    matchedWithout: without,
    lookupNote: `Appointment ${appointment.id} was adopted after an uncertain create although MONCRENEAU's list did not return its ${without.join(', ')}: it matched on ${[...compared, 'departmentId', 'dateTime'].join(', ')}.`,
  };
}

async function executeCancel(deps: ExecuteDeps, command: CommandRecord, appointmentId: string, call: CallOptions): Promise<Execution> {
  let outcome: 'cancelled' | 'already_cancelled';
  let current: Appointment | undefined;
  try {
    outcome = await deps.appointments.cancel(appointmentId, call);
    // DELETE answers 204 without a body: read the appointment for what MONCRENEAU refunded. Best effort —
    // the cancel is done, so a failed read falls back to the documented 1 credit rather than failing it.
    current = await readQuietly(deps, appointmentId, call);
  } catch (error) {
    // Cancelling a cancelled appointment is refused (sandbox: 400; docs: UNKNOWN). If it is indeed
    // cancelled — an earlier execution that crashed before recording, or someone else — that is success.
    if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
    current = await deps.appointments.get(appointmentId, call);
    if (current.status !== 'CANCELLED') throw error;
    outcome = 'already_cancelled';
  }
  // Always: the refund entry id is the appointment's, so the webhook's refund (its `creditsRefunded`) and
  // ours meet on one entry, whichever comes first; calling it again covers a crash between the cancel and
  // the refund, and a webhook that never arrives.
  const refund = refundOnCancel(current);
  const ledger = await deps.ledger.refundAppointment(appointmentId, refund.credits, `command:${command.commandId}`);
  return { kind: 'succeeded', result: { appointmentId, outcome, refund: { ...refund, ledger } }, ledger };
}

async function readQuietly(deps: ExecuteDeps, appointmentId: string, call: CallOptions): Promise<Appointment | undefined> {
  try {
    return await deps.appointments.get(appointmentId, call);
  } catch {
    return undefined;
  }
}

async function executePurchaseCommand(deps: ExecuteDeps, command: CommandRecord, phone: string | undefined, call: CallOptions): Promise<Execution> {
  if (command.payload.type !== 'purchase') throw new Error('not a purchase');
  if (!deps.purchases) return { kind: 'definitive', error: { code: 'NOT_CONFIGURED', message: 'This function executes no purchases' } };
  const { credits, origin, reason, phoneMasked } = command.payload;
  const run = await executePurchase(deps.purchases, { commandId: command.commandId, credits, origin, reason, ...(phoneMasked ? { phoneMasked } : {}) }, phone, call);
  switch (run.kind) {
    case 'started':
      return {
        kind: 'succeeded',
        result: { payment: { paymentId: run.report.paymentId, status: run.applied.to ?? run.report.status, credits: run.report.credits }, outcome: run.again ? 'already_started' : 'purchase_started' },
        payment: run.applied,
      };
    case 'not_started':
      return failed(run.error, command);
    case 'outcome_unknown':
      return { kind: 'definitive', error: { code: 'PURCHASE_OUTCOME_UNKNOWN', message: run.message }, ...(run.cause ? { cause: run.cause } : {}) };
    case 'phone_unavailable':
      return { kind: 'definitive', error: { code: 'PHONE_UNAVAILABLE', message: 'The payer phone travels only in the original queue message (it is never stored); this replay has none. Purchase again.' } };
  }
}
