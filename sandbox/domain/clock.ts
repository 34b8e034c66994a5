/**
 * The sandbox's notion of "now". Tests and rehearsals inject a base clock or shift it forwards
 * (quota windows, key expiry, past-date checks) without waiting for real time to pass.
 */
export type NowFn = () => number;

export class SandboxClock {
  private offsetMs = 0;

  constructor(private readonly base: NowFn = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** ISO-8601 UTC at second precision, like the documented `created` / `createdAt` values. */
  isoNow(): string {
    return toIsoSeconds(this.now());
  }
}

export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
