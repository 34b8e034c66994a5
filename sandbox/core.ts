/**
 * The sandbox's running domain: state, clock, assumptions, quota, faults, event emission and the
 * payment provider's timers. HTTP routes and the control object both drive this; it knows no HTTP.
 */
import { DEFAULT_ASSUMPTIONS, type SandboxAssumptions } from './defaults';
import { SandboxClock, type NowFn } from './domain/clock';
import type { DomainContext } from './domain/context';
import { FaultInjector } from './domain/faults';
import { settlePayment } from './domain/payments';
import { Prng, streamSeed } from './domain/prng';
import { HourlyRateLimiter } from './domain/rate-limit';
import { StateStore } from './domain/state';
import type { EventType, Payment, WebhookEvent } from './domain/types';
import { WebhookDispatcher } from './webhooks/dispatcher';

export interface CoreOptions {
  seed: number;
  webhookUrl: string | null;
  stateFile?: string;
  webhookRetrySchedule: readonly number[];
  paymentDelayMs: number;
  assumptions?: Partial<SandboxAssumptions>;
  now?: NowFn;
  logger: (line: string) => void;
}

export class SandboxCore implements DomainContext {
  readonly store: StateStore;
  readonly clock: SandboxClock;
  assumptions: SandboxAssumptions;
  readonly limiter: HourlyRateLimiter;
  readonly faults: FaultInjector;
  readonly dispatcher: WebhookDispatcher;
  readonly seed: number;
  paymentDelayMs: number;
  /** The most recent event, so callers of domain operations can return what they caused. */
  lastEmitted: WebhookEvent | null = null;
  readonly logger: (line: string) => void;
  private readonly paymentTimers = new Map<string, NodeJS.Timeout>();

  constructor(options: CoreOptions) {
    this.seed = options.seed;
    this.logger = options.logger;
    this.paymentDelayMs = options.paymentDelayMs;
    this.assumptions = { ...DEFAULT_ASSUMPTIONS, ...options.assumptions, routeScopes: { ...DEFAULT_ASSUMPTIONS.routeScopes, ...options.assumptions?.routeScopes } };
    this.clock = new SandboxClock(options.now);
    this.store = new StateStore(options.webhookUrl, options.stateFile);
    this.limiter = new HourlyRateLimiter(() => this.clock.now());
    this.faults = new FaultInjector(options.seed);
    this.dispatcher = new WebhookDispatcher({
      retrySchedule: options.webhookRetrySchedule,
      timeoutMs: () => this.assumptions.webhookTimeoutMs,
      faults: this.faults,
      nextDeliveryId: () => `dlv_${this.store.nextId('delivery')}`,
      logger: options.logger,
    });
    // A restart keeps pending payments pending; those that were due to settle are rescheduled.
    for (const payment of this.store.state.payments) this.schedulePayment(payment);
  }

  /** Seeded, reproducible token for ids: the n-th id of a kind is the same for the same seed. */
  token(kind: string, n: number, length = 14): string {
    return new Prng(streamSeed(this.seed, `${kind}:${n}`)).token(length);
  }

  emit(type: EventType, object: Record<string, unknown>): WebhookEvent {
    const n = this.store.nextId('event');
    const event: WebhookEvent = { id: `evt_${this.token('event', n)}`, type, created: this.clock.isoNow(), data: { object } };
    this.store.save();
    this.lastEmitted = event;
    this.dispatcher.dispatch(event, this.store.state.webhooks);
    return event;
  }

  schedulePayment(payment: Payment): void {
    if (payment.status !== 'PENDING' || payment.settleAt === null || this.paymentTimers.has(payment.id)) return;
    const outcome = payment.plannedOutcome;
    if (outcome === 'NO_ANSWER') return;
    const timer = setTimeout(() => {
      this.paymentTimers.delete(payment.id);
      if (payment.status === 'PENDING') settlePayment(this, payment, outcome);
    }, Math.max(0, payment.settleAt - this.clock.now()));
    this.paymentTimers.set(payment.id, timer);
  }

  cancelPaymentTimer(paymentId: string): void {
    const timer = this.paymentTimers.get(paymentId);
    if (timer) clearTimeout(timer);
    this.paymentTimers.delete(paymentId);
  }

  stop(): void {
    for (const timer of this.paymentTimers.values()) clearTimeout(timer);
    this.paymentTimers.clear();
    this.dispatcher.stop();
  }
}
