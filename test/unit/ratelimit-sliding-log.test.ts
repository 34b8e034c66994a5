/**
 * The pure sliding-log rule behind the global limiter: a randomized property check that no window
 * ever holds more than its limit, and a demonstration of why fixed windows are not enough.
 */
import { earliestSlot, maxInAnyWindow, pruneGrants, type RateRule } from '../../shared/ratelimit';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('sliding-log rule', () => {
  it('keeps every sliding window at or under its limit for random bursty arrivals (several rules, padding, pruning)', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const random = lcg(seed);
      const rules: RateRule[] = [
        { name: 'minute', limit: 1 + Math.floor(random() * 20), windowMs: 1000 + Math.floor(random() * 1000) },
        { name: 'hour', limit: 20 + Math.floor(random() * 40), windowMs: 5000 + Math.floor(random() * 5000) },
      ];
      const padding = Math.floor(random() * 50);
      let log: number[] = [];
      let now = 0;
      let blockedUntil = 0;
      const slots: number[] = [];
      for (let i = 0; i < 400; i += 1) {
        now += random() < 0.7 ? 0 : Math.floor(random() * 400); // bursts and gaps
        if (random() < 0.01) blockedUntil = now + Math.floor(random() * 3000); // a penalty
        log = pruneGrants(log, rules, now, padding);
        const slot = earliestSlot(log, rules, Math.max(now, blockedUntil), padding);
        expect(slot).toBeGreaterThanOrEqual(now);
        expect(slot).toBeGreaterThanOrEqual(blockedUntil);
        if (slots.length) expect(slot).toBeGreaterThanOrEqual(slots[slots.length - 1]); // FIFO
        log = [...log, slot];
        slots.push(slot);
      }
      for (const rule of rules) expect(maxInAnyWindow(slots, rule.windowMs + padding)).toBeLessThanOrEqual(rule.limit);
    }
  });

  it('is tight: a full burst is allowed, the next one waits exactly one window', () => {
    const rules: RateRule[] = [{ name: 'r', limit: 3, windowMs: 1000 }];
    const log: number[] = [];
    for (let i = 0; i < 3; i += 1) log.push(earliestSlot(log, rules, 0));
    expect(log).toEqual([0, 0, 0]);
    expect(earliestSlot(log, rules, 0)).toBe(1000);
  });

  it('fixed windows back to back would allow 2× the limit; the log does not', () => {
    const fixedWindowGrants = [900, 950, 999, 1000, 1001, 1050]; // 3 at the end of window 0, 3 at the start of window 1
    expect(maxInAnyWindow(fixedWindowGrants, 1000)).toBe(6);
    const rules: RateRule[] = [{ name: 'r', limit: 3, windowMs: 1000 }];
    const log: number[] = [];
    for (const arrival of fixedWindowGrants) log.push(earliestSlot(log, rules, arrival));
    expect(maxInAnyWindow(log, 1000)).toBe(3);
  });
});
