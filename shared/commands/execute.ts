/**
 * Executes one RUNNING command against MONCRENEAU and settles the credits ledger. Returns what
 * happened; the caller (worker.ts) records it. Never resends a create blindly: from the second
 * execution on, the booking is looked up first (same externalUserId), and the client itself looks
 * it up after any uncertain attempt.
 */
import { InsufficientCreditsLocalError } from '../credits/errors';
import type { ConfirmOutcome, Ledger, RefundOutcome } from '../credits/ports';
import { ConflictError, InsufficientCreditsError, ValidationError } from '../moncreneau/client/errors';
import { sameBooking } from '../moncreneau/client/resources/appointments';
import type { Appointment, CallOptions, CreateAppointmentRequest } from '../moncreneau/client/types';
import { failureKind, toCommandError } from './failure-kind';
import type { AppointmentsPort } from './ports';
import type { CommandError, CommandRecord, CommandResult } from './types';

export interface ExecuteDeps {
  readonly ledger: Ledger;
  readonly appointments: AppointmentsPort;
  readonly refuseWhenEmpty: boolean;
}

export type Execution =
  | { readonly kind: 'succeeded'; readonly result: CommandResult; readonly ledger?: ConfirmOutcome | RefundOutcome }
  | { readonly kind: 'definitive'; readonly error: CommandError; readonly cause?: unknown; readonly insufficientCredits?: 'local' | 'api' }
  | { readonly kind: 'transient'; readonly error: CommandError; readonly cause: unknown };

/** One reservation per execution round: a DLQ replay after a released reservation must hold a new credit. */
export function reservationId(command: CommandRecord): string {
  return command.failures === 0 ? command.commandId : `${command.commandId}#rerun${command.failures}`;
}

export async function executeCommand(deps: ExecuteDeps, command: CommandRecord, call: CallOptions): Promise<Execution> {
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
    const { appointment, outcome } = found ? { appointment: found, outcome: 'recovered' as const } : await deps.appointments.createDetailed(request, call);
    const ledger = await deps.ledger.confirmBooking(reservation, String(appointment.id));
    return { kind: 'succeeded', result: { appointment, outcome }, ledger };
  } catch (error) {
    const execution = failed(error, command);
    if (execution.kind === 'definitive') {
      // Release first, then set the balance MONCRENEAU reported, so the ledger ends on its value.
      await deps.ledger.releaseReservation(reservation, `command ${command.commandId} failed: ${execution.error.code}`);
      if (error instanceof InsufficientCreditsError) await deps.ledger.syncBalance(error.available ?? 0, `402 INSUFFICIENT_CREDITS on command ${command.commandId}`);
    }
    return execution;
  }
}

/** A redelivered create: did an earlier execution book it already? (Same externalUserId, department and slot.) */
async function lookUp(deps: ExecuteDeps, request: CreateAppointmentRequest, call: CallOptions): Promise<Appointment | undefined> {
  for await (const appointment of deps.appointments.iterate({ externalUserId: request.externalUserId, departmentId: request.departmentId }, call)) {
    if (sameBooking(appointment, request)) return appointment;
  }
  return undefined;
}

async function executeCancel(deps: ExecuteDeps, command: CommandRecord, appointmentId: string, call: CallOptions): Promise<Execution> {
  let outcome: 'cancelled' | 'already_cancelled';
  try {
    outcome = await deps.appointments.cancel(appointmentId, call);
  } catch (error) {
    // Cancelling a cancelled appointment is refused (sandbox: 400; docs: UNKNOWN). If it is indeed
    // cancelled — an earlier execution that crashed before recording, or someone else — that is success.
    if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
    const current = await deps.appointments.get(appointmentId, call);
    if (current.status !== 'CANCELLED') throw error;
    outcome = 'already_cancelled';
  }
  // Always: the refund entry id is the appointment's, so the webhook's refund and ours meet on one
  // entry; calling it again covers a crash between the cancel and the refund.
  const ledger = await deps.ledger.refundAppointment(appointmentId, 1, `command:${command.commandId}`);
  return { kind: 'succeeded', result: { appointmentId, outcome }, ledger };
}
