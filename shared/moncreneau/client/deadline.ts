/**
 * The overall budget of one logical call. Sources: an absolute `deadline` (epoch ms) and/or the
 * Lambda context's remaining time; the earlier wins, minus a safety margin so the function still has
 * time to record the outcome (and SQS can redeliver) before Lambda kills it. Pure.
 */
import type { CallOptions } from './types';

/** Absolute epoch ms the caller allows, or undefined when unbounded. */
export function resolveDeadline(options: CallOptions | undefined, nowMs: number): number | undefined {
  const candidates: number[] = [];
  if (options?.deadline !== undefined) candidates.push(options.deadline);
  if (options?.remainingTimeMs) candidates.push(nowMs + options.remainingTimeMs());
  return candidates.length ? Math.min(...candidates) : undefined;
}

export class Budget {
  /** Last instant an attempt may still be running (caller's deadline minus the safety margin). */
  readonly cutoff: number | undefined;

  constructor(
    readonly callerDeadline: number | undefined,
    safetyMarginMs: number,
    private readonly now: () => number,
  ) {
    this.cutoff = callerDeadline === undefined ? undefined : callerDeadline - safetyMarginMs;
  }

  remainingMs(): number {
    return this.cutoff === undefined ? Number.POSITIVE_INFINITY : this.cutoff - this.now();
  }

  /** True if waiting `delayMs` and then running at least `minAttemptMs` still fits. */
  fits(delayMs: number, minAttemptMs: number): boolean {
    return this.remainingMs() - delayMs >= minAttemptMs;
  }
}
