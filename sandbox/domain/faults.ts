/**
 * The fault profile and its seeded decisions. Every setFaults() reseeds the streams, so the same
 * profile + seed replays the same outcome for the n-th request and the n-th delivery.
 */
import { Prng, streamSeed } from './prng';

export interface FaultProfile {
  /** Share of /api/v1 requests answered with a 5xx (0..1). */
  errorRate: number;
  /** Statuses picked (seeded) for injected errors. */
  errorStatuses: number[];
  /** Latency added to every /api/v1 response (ms). */
  latencyMs: number;
  /** Share of requests never answered (the socket stays open until the client gives up). */
  hangRate: number;
  /** Share of requests whose connection is destroyed without a response. */
  dropRate: number;
  /** Apply error/hang/drop after the request took effect (e.g. the appointment exists but the client never hears). */
  afterCommit: boolean;
  /** Share of webhook deliveries sent twice (same event id, same body). */
  duplicateRate: number;
  /** Share of webhook deliveries held back until the endpoint's next event has been delivered. */
  outOfOrderRate: number;
  /** Share of webhook deliveries signed with a wrong secret. */
  wrongSignatureRate: number;
  seed: number;
}

export const NO_FAULTS: Omit<FaultProfile, 'seed'> = {
  errorRate: 0,
  errorStatuses: [500, 503],
  latencyMs: 0,
  hangRate: 0,
  dropRate: 0,
  afterCommit: false,
  duplicateRate: 0,
  outOfOrderRate: 0,
  wrongSignatureRate: 0,
};

export type RequestFault = { kind: 'none' } | { kind: 'error'; status: number } | { kind: 'hang' } | { kind: 'drop' };

export interface DeliveryFault {
  duplicate: boolean;
  outOfOrder: boolean;
  wrongSignature: boolean;
}

const RATE_FIELDS = ['errorRate', 'hangRate', 'dropRate', 'duplicateRate', 'outOfOrderRate', 'wrongSignatureRate'] as const;

export class FaultInjector {
  private current: FaultProfile;
  private requestStream!: Prng;
  private deliveryStream!: Prng;

  constructor(seed: number) {
    this.current = { ...NO_FAULTS, seed };
    this.reseed();
  }

  get profile(): FaultProfile {
    return { ...this.current, errorStatuses: [...this.current.errorStatuses] };
  }

  /** Merges a partial profile (validated) and restarts the seeded streams. */
  set(partial: Partial<FaultProfile>, replace = false): FaultProfile {
    const next: FaultProfile = { ...(replace ? { ...NO_FAULTS, seed: this.current.seed } : this.current), ...partial };
    for (const field of RATE_FIELDS) {
      const v = next[field];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${field} must be a number between 0 and 1`);
    }
    if (next.errorRate + next.hangRate + next.dropRate > 1) throw new Error('errorRate + hangRate + dropRate must be <= 1');
    if (!(next.latencyMs >= 0)) throw new Error('latencyMs must be >= 0');
    if (!Array.isArray(next.errorStatuses) || next.errorStatuses.length === 0 || next.errorStatuses.some((s) => !(s >= 500 && s <= 599))) {
      throw new Error('errorStatuses must be a non-empty list of 5xx statuses');
    }
    if (!Number.isInteger(next.seed)) throw new Error('seed must be an integer');
    this.current = next;
    this.reseed();
    return this.profile;
  }

  private reseed(): void {
    this.requestStream = new Prng(streamSeed(this.current.seed, 'requests'));
    this.deliveryStream = new Prng(streamSeed(this.current.seed, 'deliveries'));
  }

  decideRequest(): RequestFault {
    const p = this.current;
    if (p.hangRate + p.dropRate + p.errorRate === 0) return { kind: 'none' };
    const u = this.requestStream.next();
    if (u < p.hangRate) return { kind: 'hang' };
    if (u < p.hangRate + p.dropRate) return { kind: 'drop' };
    if (u < p.hangRate + p.dropRate + p.errorRate) {
      return { kind: 'error', status: p.errorStatuses[this.requestStream.int(p.errorStatuses.length)] };
    }
    return { kind: 'none' };
  }

  decideDelivery(): DeliveryFault {
    const p = this.current;
    // Always three draws so that one rate's value never shifts the others' sequence.
    const [a, b, c] = [this.deliveryStream.next(), this.deliveryStream.next(), this.deliveryStream.next()];
    return { duplicate: a < p.duplicateRate, outOfOrder: b < p.outOfOrderRate, wrongSignature: c < p.wrongSignatureRate };
  }
}
