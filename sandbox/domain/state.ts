/**
 * The whole mutable state of the sandbox, and where it lives: memory by default, mirrored to a JSON
 * file when SANDBOX_STATE_FILE / `stateFile` is set so that a restart keeps it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  DEFAULT_DEPARTMENTS,
  DEFAULT_KEY,
  DEFAULT_ORGANIZATION,
  FIRST_APPOINTMENT_ID,
  OTHER_ORGANIZATION,
  defaultWebhookEndpoint,
} from '../defaults';
import type { ApiKey, Appointment, Department, Organization, Payment, WebhookEndpoint } from './types';

export interface SandboxState {
  version: 1;
  organizations: Organization[];
  departments: Department[];
  keys: ApiKey[];
  appointments: Appointment[];
  payments: Payment[];
  webhooks: WebhookEndpoint[];
  /** Monotonic counters for ids; persisted so ids never repeat across restarts. */
  counters: { appointment: number; event: number; payment: number; webhook: number; delivery: number };
}

export function initialState(webhookUrl: string | null): SandboxState {
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    version: 1,
    organizations: [copy(DEFAULT_ORGANIZATION), copy(OTHER_ORGANIZATION)],
    departments: copy([...DEFAULT_DEPARTMENTS]),
    keys: [copy(DEFAULT_KEY)],
    appointments: [],
    payments: [],
    webhooks: webhookUrl ? [defaultWebhookEndpoint(webhookUrl)] : [],
    counters: { appointment: FIRST_APPOINTMENT_ID - 1, event: 0, payment: 0, webhook: 0, delivery: 0 },
  };
}

export class StateStore {
  state: SandboxState;

  constructor(
    private readonly webhookUrl: string | null,
    private readonly file?: string,
  ) {
    this.state = file && existsSync(file) ? StateStore.read(file) : initialState(webhookUrl);
    this.save();
  }

  private static read(file: string): SandboxState {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
    if (parsed.version !== 1) throw new Error(`Unsupported sandbox state file version in ${file}`);
    // A file written when ids started at 12345: continue above the docs examples' ids (never backwards).
    parsed.counters.appointment = Math.max(parsed.counters.appointment, FIRST_APPOINTMENT_ID - 1);
    return parsed;
  }

  /** Called after every mutation; write-then-rename so a crash never leaves half a file. */
  save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2));
    renameSync(tmp, this.file);
  }

  reset(): void {
    this.state = initialState(this.webhookUrl);
    this.save();
  }

  nextId(counter: keyof SandboxState['counters']): number {
    this.state.counters[counter] += 1;
    return this.state.counters[counter];
  }

  organization(id: number): Organization {
    const org = this.state.organizations.find((o) => o.id === id);
    if (!org) throw new Error(`Unknown organization ${id}`);
    return org;
  }
}
