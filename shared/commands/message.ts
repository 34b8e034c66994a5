/**
 * The outbound queue's message body: `{"commandId":"…"}`, plus `rerunFailure` on messages sent to the
 * DLQ after a definitive failure — replaying such a message re-runs the FAILED command once. Pure.
 */
export interface CommandMessage {
  readonly commandId: string;
  /** The command's failure count when this message was dead-lettered (replay marker). */
  readonly rerunFailure?: number;
  /** A purchase's payer phone: only here, in flight, never in the command record (personal data). */
  readonly phone?: string;
}

export function encodeCommandMessage(message: CommandMessage): string {
  return JSON.stringify({
    commandId: message.commandId,
    ...(message.rerunFailure === undefined ? {} : { rerunFailure: message.rerunFailure }),
    ...(message.phone === undefined ? {} : { phone: message.phone }),
  });
}

/** undefined for a body that is not a command message (acknowledged and logged: retrying cannot fix it). */
export function decodeCommandMessage(body: string): CommandMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { commandId, rerunFailure, phone } = parsed as Record<string, unknown>;
  if (typeof commandId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(commandId)) return undefined;
  return {
    commandId,
    ...(Number.isInteger(rerunFailure) ? { rerunFailure: rerunFailure as number } : {}),
    ...(typeof phone === 'string' && /^\+\d{8,15}$/.test(phone) ? { phone } : {}),
  };
}
