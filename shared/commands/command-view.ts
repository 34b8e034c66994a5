/**
 * The public JSON of a command (GET /commands/{id}): status, attempts, timestamps, the result or the
 * error. The request payload is not echoed back (it holds the beneficiary's name).
 */
import type { CommandRecord } from './types';

/** `basePath`: the caller's prefix in front of our routes (`publicBasePath`), so statusUrl can be followed. */
export function commandView(command: CommandRecord, basePath = ''): Record<string, unknown> {
  const appointmentId = command.payload.type === 'update' || command.payload.type === 'cancel' ? command.payload.appointmentId : undefined;
  return {
    commandId: command.commandId,
    type: command.type,
    status: command.status,
    ...(appointmentId !== undefined ? { appointmentId } : {}),
    ...(command.payload.type === 'create' ? { externalUserId: command.payload.request.externalUserId } : {}),
    ...(command.payload.type === 'purchase' ? { credits: command.payload.credits, origin: command.payload.origin } : {}),
    attempts: command.attempts,
    createdAt: command.createdAt,
    updatedAt: command.updatedAt,
    ...(command.startedAt ? { startedAt: command.startedAt } : {}),
    ...(command.completedAt ? { completedAt: command.completedAt } : {}),
    ...(command.result ? { result: command.result } : {}),
    ...(command.error ? { error: command.error } : {}),
    ...(command.lastError && command.status !== 'SUCCEEDED' ? { lastError: command.lastError } : {}),
    ...(command.status === 'PAUSED' && command.pausedReason ? { pausedReason: command.pausedReason } : {}),
    statusUrl: statusUrl(command.commandId, basePath),
  };
}

/** The command's status path as the caller reaches it: `/commands/{id}` behind `basePath` ('' at the root). */
export function statusUrl(commandId: string, basePath = ''): string {
  return `${basePath}/commands/${commandId}`;
}
