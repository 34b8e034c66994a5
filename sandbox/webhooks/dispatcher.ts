/**
 * Delivers events to the configured endpoints: signed POSTs, retries on non-2xx or timeout following
 * the retry schedule, a delivery log, and the webhook faults (duplicates, out-of-order, wrong signatures).
 * First attempts to one endpoint go out one after another, in event order, so ordering is only broken
 * on purpose (out-of-order fault) or by retries.
 */
import type { FaultInjector } from '../domain/faults';
import type { WebhookEndpoint, WebhookEvent } from '../domain/types';
import { toIsoSeconds } from '../domain/clock';
import { postWebhook } from './post';
import { EVENT_HEADER, SIGNATURE_HEADER, signBody } from './signature';

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  /** Wait before this attempt (0 for the first, then the retry schedule). */
  delayBeforeMs: number;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  url: string;
  status: DeliveryStatus;
  /** Set on the extra copy sent by the duplicate fault. */
  duplicateOf: string | null;
  heldOutOfOrder: boolean;
  signatureValid: boolean;
  attempts: DeliveryAttempt[];
  createdAt: string;
}

export interface DispatcherOptions {
  retrySchedule: readonly number[];
  timeoutMs: () => number;
  faults: FaultInjector;
  nextDeliveryId: () => string;
  logger: (line: string) => void;
  /** Out-of-order deliveries wait for the next event at most this long. */
  maxHoldMs?: number;
  maxLogEntries?: number;
}

interface Held {
  release: () => void;
  timer: NodeJS.Timeout;
}

export class WebhookDispatcher {
  private readonly log: Delivery[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly held = new Map<string, Held[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<() => void>();
  private stopped = false;
  retrySchedule: readonly number[];

  constructor(private readonly options: DispatcherOptions) {
    this.retrySchedule = options.retrySchedule;
  }

  dispatch(event: WebhookEvent, endpoints: readonly WebhookEndpoint[]): Delivery[] {
    const body = JSON.stringify(event);
    const created: Delivery[] = [];
    for (const endpoint of endpoints) {
      if (!endpoint.active || !(endpoint.events.includes('*') || endpoint.events.includes(event.type))) continue;
      const fault = this.options.faults.decideDelivery();
      const copies = fault.duplicate ? 2 : 1;
      let firstId: string | null = null;
      for (let i = 0; i < copies; i += 1) {
        const delivery = this.record(event, endpoint, firstId, fault.outOfOrder, !fault.wrongSignature);
        firstId ??= delivery.id;
        created.push(delivery);
        const send = (): Promise<void> => this.attempt(delivery, endpoint, body, 1, 0);
        if (fault.outOfOrder) this.hold(endpoint.id, () => this.enqueueFirstAttempt(endpoint.id, send));
        else this.enqueueFirstAttempt(endpoint.id, send);
      }
      // A normal delivery releases what an earlier out-of-order fault held back, once it has gone out.
      if (!fault.outOfOrder) this.releaseHeld(endpoint.id);
    }
    return created;
  }

  deliveries(filter: { eventId?: string; eventType?: string; status?: DeliveryStatus } = {}): Delivery[] {
    return this.log
      .filter((d) => (!filter.eventId || d.eventId === filter.eventId) && (!filter.eventType || d.eventType === filter.eventType))
      .filter((d) => !filter.status || d.status === filter.status)
      .map((d) => structuredClone(d));
  }

  clearLog(): void {
    for (let i = this.log.length - 1; i >= 0; i -= 1) if (this.log[i].status !== 'pending') this.log.splice(i, 1);
  }

  pendingCount(): number {
    return this.log.filter((d) => d.status === 'pending').length;
  }

  /** Resolves when `predicate` holds over the log; checked after every change. */
  waitFor(predicate: (log: Delivery[]) => boolean, timeoutMs: number): Promise<Delivery[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (!predicate(this.log)) return false;
        cleanup();
        resolve(this.deliveries());
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for webhook deliveries (${this.pendingCount()} pending)`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => void check();
      this.listeners.add(listener);
      check();
    });
  }

  /** Releases anything held back, then waits until nothing is pending (retries included). */
  flush(timeoutMs: number): Promise<Delivery[]> {
    for (const endpointId of [...this.held.keys()]) this.releaseHeld(endpointId);
    return this.waitFor((log) => log.every((d) => d.status !== 'pending'), timeoutMs);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const list of this.held.values()) for (const h of list) clearTimeout(h.timer);
    this.held.clear();
  }

  private record(event: WebhookEvent, endpoint: WebhookEndpoint, duplicateOf: string | null, held: boolean, signatureValid: boolean): Delivery {
    const delivery: Delivery = {
      id: this.options.nextDeliveryId(),
      eventId: event.id,
      eventType: event.type,
      endpointId: endpoint.id,
      url: endpoint.url,
      status: 'pending',
      duplicateOf,
      heldOutOfOrder: held,
      signatureValid,
      attempts: [],
      createdAt: toIsoSeconds(Date.now()),
    };
    this.log.push(delivery);
    const max = this.options.maxLogEntries ?? 5_000;
    const excess = this.log.length - max;
    if (excess > 0) {
      const removable = this.log.filter((d) => d.status !== 'pending').slice(0, excess);
      for (const d of removable) this.log.splice(this.log.indexOf(d), 1);
    }
    return delivery;
  }

  private enqueueFirstAttempt(endpointId: string, send: () => Promise<void>): void {
    const previous = this.chains.get(endpointId) ?? Promise.resolve();
    this.chains.set(endpointId, previous.then(send, send));
  }

  private hold(endpointId: string, release: () => void): void {
    const list = this.held.get(endpointId) ?? [];
    const entry: Held = {
      release,
      timer: setTimeout(() => this.releaseHeld(endpointId), this.options.maxHoldMs ?? 2_000),
    };
    list.push(entry);
    this.held.set(endpointId, list);
  }

  /** Enqueues held deliveries behind whatever is already queued, so the newer event reaches the receiver first. */
  private releaseHeld(endpointId: string): void {
    const list = this.held.get(endpointId) ?? [];
    this.held.delete(endpointId);
    for (const h of list) clearTimeout(h.timer);
    for (const h of list) h.release();
  }

  private async attempt(delivery: Delivery, endpoint: WebhookEndpoint, body: string, n: number, delayBeforeMs: number): Promise<void> {
    if (this.stopped) return;
    const secret = delivery.signatureValid ? endpoint.secret : `${endpoint.secret}_wrong`;
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'moncreneau-sandbox/1.0',
      [EVENT_HEADER]: delivery.eventType,
      [SIGNATURE_HEADER]: signBody(body, secret),
    };
    const startedAt = toIsoSeconds(Date.now());
    const result = await postWebhook(endpoint.url, body, headers, this.options.timeoutMs());
    if (this.stopped) return;
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    delivery.attempts.push({ attempt: n, startedAt, delayBeforeMs, ...result });
    const outcome = result.statusCode ?? result.error;
    this.options.logger(`webhook ${delivery.eventType} ${delivery.eventId} → ${endpoint.url} attempt ${n}: ${outcome} (${result.latencyMs} ms)`);
    if (ok) {
      delivery.status = 'delivered';
    } else if (n <= this.retrySchedule.length) {
      const delay = this.retrySchedule[n - 1];
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(delivery, endpoint, body, n + 1, delay);
      }, delay);
      this.timers.add(timer);
    } else {
      delivery.status = 'failed';
    }
    for (const listener of [...this.listeners]) listener();
  }
}
