/**
 * SandboxControl: the in-process control plane (tests, the local runtime). The HTTP control plane
 * under /_sandbox and the CLI expose the same operations.
 */
import type { SandboxCore } from './core';
import { DEFAULT_QUOTA_PER_HOUR, type SandboxAssumptions } from './defaults';
import { maskSecret } from './domain/mask';
import type { FaultProfile } from './domain/faults';
import { findPayment, settlePayment } from './domain/payments';
import type { ApiKey, Appointment, Payment, WebhookEndpoint, WebhookEvent } from './domain/types';
import { triggerEvent, type TriggerRequest } from './triggers';
import type { Delivery, DeliveryStatus } from './webhooks/dispatcher';

export interface CreateKeyOptions {
  /** Explicit key value (must look like mk_…); generated when absent. */
  key?: string;
  name?: string;
  organizationId?: number;
  scopes?: string[];
  quotaPerHour?: number;
  /** Shortcut for an already-expired key. */
  expired?: boolean;
  /** ISO-8601 or ms since epoch; null = never. */
  expiresAt?: string | number | null;
}

export interface WebhookConfig {
  url: string;
  secret?: string;
  events?: string[];
  active?: boolean;
}

export interface DeliveryFilter {
  eventId?: string;
  eventType?: string;
  status?: DeliveryStatus;
}

export interface WaitForDeliveriesOptions extends DeliveryFilter {
  /** How many matching deliveries must have finished (delivered or failed). Default 1. */
  count?: number;
  timeoutMs?: number;
}

export class ControlError extends Error {}

export class SandboxControl {
  constructor(private readonly core: SandboxCore) {}

  // Credits
  getCredits(organizationId = 1): number {
    return this.core.store.organization(organizationId).credits;
  }

  setCredits(credits: number, organizationId = 1): number {
    if (!Number.isInteger(credits) || credits < 0) throw new ControlError('credits must be an integer >= 0');
    this.core.store.organization(organizationId).credits = credits;
    this.core.store.save();
    return credits;
  }

  // Keys
  createKey(options: CreateKeyOptions = {}): ApiKey {
    const store = this.core.store;
    const key = options.key ?? `mk_test_${this.core.token('key', store.state.keys.length + 1, 24)}`;
    if (!/^mk_[A-Za-z0-9_]+$/.test(key)) throw new ControlError('key must look like mk_<alphanumerics>');
    if (store.state.keys.some((k) => k.key === key)) throw new ControlError('key already exists');
    const organizationId = options.organizationId ?? 1;
    store.organization(organizationId); // throws on an unknown organization
    const quotaPerHour = options.quotaPerHour ?? DEFAULT_QUOTA_PER_HOUR;
    if (!Number.isInteger(quotaPerHour) || quotaPerHour < 0) throw new ControlError('quotaPerHour must be an integer >= 0');
    let expiresAt: number | null = null;
    if (options.expired) expiresAt = this.core.clock.now() - 1000;
    else if (typeof options.expiresAt === 'number') expiresAt = options.expiresAt;
    else if (typeof options.expiresAt === 'string') expiresAt = Date.parse(options.expiresAt);
    if (expiresAt !== null && Number.isNaN(expiresAt)) throw new ControlError('expiresAt is not a date');
    const record: ApiKey = {
      key,
      name: options.name ?? 'sandbox key',
      organizationId,
      scopes: options.scopes ?? ['appointments:read', 'appointments:create', 'credits:purchase'],
      quotaPerHour,
      expiresAt,
      revoked: false,
      createdAt: this.core.clock.isoNow(),
    };
    store.state.keys.push(record);
    store.save();
    this.core.logger(`key created ${maskSecret(key)} org=${organizationId} scopes=${record.scopes.join(',')} quota=${quotaPerHour}/h`);
    return { ...record };
  }

  revokeKey(key: string): void {
    const found = this.core.store.state.keys.find((k) => k.key === key);
    if (!found) throw new ControlError('unknown key');
    found.revoked = true;
    this.core.store.save();
  }

  /** Keys with their value masked. */
  listKeys(): Array<Omit<ApiKey, 'key'> & { key: string }> {
    return this.core.store.state.keys.map((k) => ({ ...k, key: maskSecret(k.key) }));
  }

  // Webhook endpoints
  webhooks(): WebhookEndpoint[] {
    return this.core.store.state.webhooks.map((w) => ({ ...w, events: [...w.events] }));
  }

  /** Replaces every endpoint with this one (null = no endpoint). */
  setWebhook(config: WebhookConfig | null): WebhookEndpoint[] {
    this.core.store.state.webhooks = [];
    if (config) this.addWebhook(config);
    this.core.store.save();
    return this.webhooks();
  }

  addWebhook(config: WebhookConfig): WebhookEndpoint {
    try {
      new URL(config.url);
    } catch {
      throw new ControlError(`invalid webhook url '${config.url}'`);
    }
    const secret = config.secret ?? `whsec_${this.core.token('secret', this.core.store.state.counters.webhook + 1, 32)}`;
    const endpoint: WebhookEndpoint = {
      id: `wh_${this.core.store.nextId('webhook')}`,
      url: config.url,
      secret,
      events: config.events ?? ['*'],
      active: config.active ?? true,
    };
    this.core.store.state.webhooks.push(endpoint);
    this.core.store.save();
    this.core.logger(`webhook endpoint ${endpoint.id} → ${endpoint.url} secret=${maskSecret(secret)}`);
    return { ...endpoint };
  }

  removeWebhook(id: string): void {
    const before = this.core.store.state.webhooks.length;
    this.core.store.state.webhooks = this.core.store.state.webhooks.filter((w) => w.id !== id);
    if (this.core.store.state.webhooks.length === before) throw new ControlError(`unknown webhook ${id}`);
    this.core.store.save();
  }

  setRetrySchedule(scheduleMs: number[]): void {
    if (!Array.isArray(scheduleMs) || scheduleMs.some((n) => !(Number.isFinite(n) && n >= 0))) {
      throw new ControlError('retry schedule must be a list of delays in ms');
    }
    this.core.dispatcher.retrySchedule = [...scheduleMs];
  }

  retrySchedule(): number[] {
    return [...this.core.dispatcher.retrySchedule];
  }

  // Faults and assumptions
  getFaults(): FaultProfile {
    return this.core.faults.profile;
  }

  /** Merges into the current profile (or replaces it with `replace`), and reseeds. */
  setFaults(partial: Partial<FaultProfile>, options: { replace?: boolean } = {}): FaultProfile {
    try {
      return this.core.faults.set(partial, options.replace);
    } catch (err) {
      throw new ControlError((err as Error).message);
    }
  }

  clearFaults(): FaultProfile {
    return this.setFaults({}, { replace: true });
  }

  getAssumptions(): SandboxAssumptions {
    return structuredClone(this.core.assumptions);
  }

  setAssumptions(partial: Partial<SandboxAssumptions>): SandboxAssumptions {
    const current = this.core.assumptions;
    this.core.assumptions = { ...current, ...partial, routeScopes: { ...current.routeScopes, ...partial.routeScopes } };
    return this.getAssumptions();
  }

  setPaymentDelay(ms: number): void {
    if (!(ms >= 0)) throw new ControlError('payment delay must be >= 0');
    this.core.paymentDelayMs = ms;
  }

  // Events, payments, deliveries
  triggerEvent(request: TriggerRequest): WebhookEvent {
    return triggerEvent(this.core, request);
  }

  /** Answers for Orange Money now (also after a NO_ANSWER), whatever the organization. */
  settlePayment(paymentId: string, outcome: 'SUCCESSFUL' | 'FAILED'): Payment {
    const owner = this.core.store.state.payments.find((p) => p.id === paymentId);
    const payment = findPayment(this.core, paymentId, owner?.organizationId ?? 0);
    this.core.cancelPaymentTimer(payment.id);
    return { ...settlePayment(this.core, payment, outcome) };
  }

  payments(): Payment[] {
    return structuredClone(this.core.store.state.payments);
  }

  appointments(): Appointment[] {
    return structuredClone(this.core.store.state.appointments);
  }

  deliveries(filter: DeliveryFilter = {}): Delivery[] {
    return this.core.dispatcher.deliveries(filter);
  }

  clearDeliveries(): void {
    this.core.dispatcher.clearLog();
  }

  /** Releases held (out-of-order) deliveries and waits until none is pending, retries included. */
  flushDeliveries(timeoutMs = 30_000): Promise<Delivery[]> {
    return this.core.dispatcher.flush(timeoutMs);
  }

  /** Waits until `count` deliveries matching the filter have finished. */
  async waitForDeliveries(options: WaitForDeliveriesOptions = {}): Promise<Delivery[]> {
    const { count = 1, timeoutMs = 30_000, ...filter } = options;
    const matches = (d: Delivery): boolean =>
      (!filter.eventId || d.eventId === filter.eventId) &&
      (!filter.eventType || d.eventType === filter.eventType) &&
      (filter.status ? d.status === filter.status : d.status !== 'pending');
    await this.core.dispatcher.waitFor((log) => log.filter(matches).length >= count, timeoutMs);
    return this.deliveries(filter).filter(matches);
  }

  // Clock and reset
  now(): string {
    return new Date(this.core.clock.now()).toISOString();
  }

  advanceClock(ms: number): string {
    if (!Number.isFinite(ms)) throw new ControlError('ms must be a number');
    this.core.clock.advance(ms);
    return this.now();
  }

  /** Back to the defaults: state, faults, quota windows and the delivery log. */
  reset(): void {
    this.core.store.reset();
    this.core.faults.set({}, true);
    this.core.limiter.reset();
    this.core.dispatcher.clearLog();
  }
}
