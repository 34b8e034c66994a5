/** In-memory stand-ins for the command ports (same contracts as the DynamoDB/SQS adapters and the ledger). */
import type { AppointmentsPort, CommandQueue, CommandStore, IdempotencyRecord, OutboundSwitch, StartRunOutcome } from '../../shared/commands/ports';
import { InsufficientCreditsLocalError } from '../../shared/credits/errors';
import type { Ledger } from '../../shared/credits/ports';
import { isTerminal, type CommandError, type CommandRecord, type CommandResult } from '../../shared/commands/types';

export class MemoryCommandStore implements CommandStore {
  readonly commands = new Map<string, CommandRecord>();
  readonly keys = new Map<string, IdempotencyRecord>();
  /** Each key's own TTL (epoch seconds), as the adapter stores it on `idem#<key>`. */
  readonly keyExpiresAt = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
  private patch(id: string, changes: Partial<CommandRecord>): CommandRecord {
    const current = this.commands.get(id);
    if (!current) throw new Error(`no command ${id}`);
    const next = { ...current, ...changes, updatedAt: this.iso() } as CommandRecord;
    this.commands.set(id, next);
    return next;
  }
  async get(id: string) {
    return this.commands.get(id);
  }
  async create(command: CommandRecord) {
    if (this.commands.has(command.commandId)) return false;
    this.commands.set(command.commandId, command);
    return true;
  }
  async markEnqueued(id: string) {
    this.patch(id, { enqueuedAt: this.commands.get(id)?.enqueuedAt ?? this.iso() });
  }
  async claimIdempotencyKey(record: IdempotencyRecord, expiresAt: number) {
    const existing = this.keys.get(record.key);
    if (existing) return { claimed: false as const, existing };
    this.keys.set(record.key, record);
    this.keyExpiresAt.set(record.key, expiresAt);
    return { claimed: true as const };
  }
  async getIdempotencyKey(key: string) {
    return this.keys.get(key);
  }
  async startRun(id: string, options: { leaseUntil: number; rerunFailure?: number }): Promise<StartRunOutcome> {
    const c = this.commands.get(id);
    if (!c) return { kind: 'missing' };
    const startable =
      ['QUEUED', 'RETRYING', 'PAUSED'].includes(c.status) ||
      (c.status === 'RUNNING' && (c.leaseUntil === undefined || c.leaseUntil < this.now())) ||
      (options.rerunFailure !== undefined && c.status === 'FAILED' && c.failures === options.rerunFailure);
    if (!startable) return isTerminal(c.status) ? { kind: 'terminal', command: c } : { kind: 'leased' };
    const command = this.patch(id, { status: 'RUNNING', attempts: c.attempts + 1, leaseUntil: options.leaseUntil, startedAt: c.startedAt ?? this.iso(), pausedReason: undefined, ...(options.rerunFailure !== undefined ? { error: undefined, completedAt: undefined } : {}) });
    return { kind: 'started', command };
  }
  async pause(id: string, reason: string) {
    const c = this.commands.get(id);
    if (!c || isTerminal(c.status) || (c.status === 'RUNNING' && (c.leaseUntil ?? 0) >= this.now())) return;
    this.patch(id, { status: 'PAUSED', pausedReason: reason, leaseUntil: undefined });
  }
  async succeed(id: string, result: CommandResult) {
    this.patch(id, { status: 'SUCCEEDED', result, completedAt: this.iso(), leaseUntil: undefined, error: undefined });
  }
  async fail(id: string, error: CommandError) {
    const c = this.patch(id, { status: 'FAILED', error, lastError: error, completedAt: this.iso(), leaseUntil: undefined });
    return this.patch(id, { failures: c.failures + 1 }).failures;
  }
  async retrying(id: string, lastError: CommandError) {
    if (this.commands.get(id)?.status === 'RUNNING') this.patch(id, { status: 'RETRYING', lastError, leaseUntil: undefined });
  }
}

export interface SentMessage {
  readonly queue: 'main' | 'dlq';
  readonly commandId: string;
  readonly delaySeconds?: number;
  readonly rerunFailure?: number;
  readonly reason?: string;
  readonly errorCode?: string;
  readonly phone?: string;
}

export class MemoryQueue implements CommandQueue {
  readonly sent: SentMessage[] = [];
  failNext = false;
  async enqueue(commandId: string, options: { delaySeconds?: number; rerunFailure?: number; phone?: string } = {}) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SQS unavailable');
    }
    this.sent.push({ queue: 'main', commandId, ...options });
  }
  async toDeadLetter(commandId: string, failure: { reason: string; errorCode: string; failures: number }) {
    this.sent.push({ queue: 'dlq', commandId, reason: failure.reason, errorCode: failure.errorCode, rerunFailure: failure.failures });
  }
  main(): SentMessage[] {
    return this.sent.filter((m) => m.queue === 'main');
  }
  dlq(): SentMessage[] {
    return this.sent.filter((m) => m.queue === 'dlq');
  }
}

export class FixedSwitch implements OutboundSwitch {
  constructor(
    public enabled = true,
    public reason?: string,
  ) {}
  async outboundWrites() {
    return { enabled: this.enabled, reason: this.reason };
  }
}

/** The ledger contract in memory: idempotent by entry id, balance null = unknown, `held` = reservations not settled yet. */
export class MemoryLedger implements Ledger {
  readonly entries = new Map<string, { kind: string; amount: number; reason: string; setTo?: number; available?: number; reserved?: number }>();
  readonly held = new Set<string>();
  constructor(public current: number | null = 10) {}
  get reserved(): number {
    return this.held.size;
  }
  private move(delta: number): void {
    if (this.current !== null) this.current += delta;
  }
  async balance() {
    return this.current;
  }
  async reserveForCommand(id: string, o: { refuseWhenEmpty: boolean }) {
    if (this.entries.has(`reserve#${id}`)) return 'already_reserved' as const;
    if (o.refuseWhenEmpty && this.current !== null && this.current < 1) throw new InsufficientCreditsLocalError(this.current);
    this.entries.set(`reserve#${id}`, { kind: 'reserve', amount: -1, reason: id });
    this.held.add(id);
    this.move(-1);
    return 'reserved' as const;
  }
  async confirmBooking(id: string, appointmentId: string) {
    if (!this.entries.has(`reserve#${id}`)) throw new Error(`No reservation for command ${id}`);
    if (this.entries.has(`appt-debit#${appointmentId}`)) return 'already_confirmed' as const;
    if (!this.held.delete(id)) {
      this.entries.set(`appt-debit#${appointmentId}`, { kind: 'appointment-debit', amount: -1, reason: id });
      this.move(-1);
      return 'confirmed_uncovered' as const;
    }
    this.entries.set(`appt-debit#${appointmentId}`, { kind: 'appointment-debit', amount: 0, reason: id });
    return 'confirmed' as const;
  }
  async releaseReservation(id: string, reason: string) {
    if (!this.entries.has(`reserve#${id}`)) return 'not_reserved' as const;
    if (this.entries.has(`release#${id}`)) return 'already_released' as const;
    if (!this.held.delete(id)) return 'not_reserved' as const;
    this.entries.set(`release#${id}`, { kind: 'release', amount: 1, reason });
    this.move(1);
    return 'released' as const;
  }
  async debitAppointment(appointmentId: string, credits: number, source: string) {
    if (this.entries.has(`appt-debit#${appointmentId}`)) return 'already_debited' as const;
    this.entries.set(`appt-debit#${appointmentId}`, { kind: 'appointment-debit', amount: -credits, reason: source });
    this.move(-credits);
    return 'debited' as const;
  }
  async refundAppointment(appointmentId: string, credits: number, source: string) {
    if (this.entries.has(`appt-refund#${appointmentId}`)) return 'already_refunded' as const;
    this.entries.set(`appt-refund#${appointmentId}`, { kind: 'appointment-refund', amount: credits, reason: source });
    this.move(credits);
    return 'refunded' as const;
  }
  async syncBalance(available: number, reason: string, syncKey?: string) {
    const id = `sync#${syncKey ?? this.entries.size}`;
    if (this.entries.has(id)) return 'already_synced' as const;
    const setTo = available - this.reserved;
    this.entries.set(id, { kind: 'sync', amount: 0, reason, setTo, available, reserved: this.reserved });
    this.current = setTo;
    return 'synced' as const;
  }
}

type Fn<K extends keyof AppointmentsPort> = jest.Mock<ReturnType<AppointmentsPort[K]>, Parameters<AppointmentsPort[K]>>;

/** A scripted MONCRENEAU: every method a jest mock, `iterate` backed by `existing`. */
export function fakeAppointments(existing: Array<Record<string, unknown>> = []) {
  const port = {
    createDetailed: jest.fn() as Fn<'createDetailed'>,
    get: jest.fn() as Fn<'get'>,
    listPage: jest.fn() as Fn<'listPage'>,
    cancel: jest.fn() as Fn<'cancel'>,
    update: jest.fn() as Fn<'update'>,
    iterate: jest.fn(async function* () {
      for (const a of existing) yield a as never;
    }) as unknown as Fn<'iterate'>,
  };
  return port;
}
