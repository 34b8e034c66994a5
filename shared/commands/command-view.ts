/**
 * The public JSON of a command (GET /commands/{id}): status, attempts, timestamps, the result or the
 * error. The request payload is not echoed back (it holds the beneficiary's name).
 */
import type { CommandRecord } from './types';

export function commandView(command: CommandRecord): Record<string, unknown> {
  const appointmentId = command.payload.type === 'create' ? undefined : command.payload.appointmentId;
  return {
    commandId: command.commandId,
    type: command.type,
    status: command.status,
    ...(appointmentId !== undefined ? { appointmentId } : {}),
    ...(command.payload.type === 'create' ? { externalUserId: command.payload.request.externalUserId } : {}),
    attempts: command.attempts,
    createdAt: command.createdAt,
    updatedAt: command.updatedAt,
    ...(command.startedAt ? { startedAt: command.startedAt } : {}),
    ...(command.completedAt ? { completedAt: command.completedAt } : {}),
    ...(command.result ? { result: command.result } : {}),
    ...(command.error ? { error: command.error } : {}),
    ...(command.lastError && command.status !== 'SUCCEEDED' ? { lastError: command.lastError } : {}),
    ...(command.status === 'PAUSED' && command.pausedReason ? { pausedReason: command.pausedReason } : {}),
    statusUrl: statusUrl(command.commandId),
  };
}

export function statusUrl(commandId: string): string {
  return `/commands/${commandId}`;
}
