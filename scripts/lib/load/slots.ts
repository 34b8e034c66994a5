/**
 * Bookable slots for load runs, one per booking: the sandbox's department 5 (one seat) and department 6
 * (one seat per agent, 42 and 43) are open Mon–Fri 08:00–12:00 in 30-minute slots (docs/sandbox.md) — 24
 * bookings a weekday, from the Monday after next on (always in the future). 6 000 bookings (an hour at
 * 100/min) reach about a year ahead.
 */
const SEATS = [{ departmentId: 5 }, { departmentId: 6, workerId: 42 }, { departmentId: 6, workerId: 43 }] as const;
const SLOTS_PER_DAY = 8;

export function weekdaySlot(n: number, now = new Date()): { departmentId: number; workerId?: number; dateTime: string } {
  const seat = SEATS[n % SEATS.length];
  const k = Math.floor(n / SEATS.length);
  const weekday = Math.floor(k / SLOTS_PER_DAY);
  const slot = k % SLOTS_PER_DAY;
  const monday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + ((8 - now.getUTCDay()) % 7 || 7) + 7);
  const day = new Date(monday + (Math.floor(weekday / 5) * 7 + (weekday % 5)) * 86_400_000);
  const minutes = 8 * 60 + slot * 30;
  return { ...seat, dateTime: `${day.toISOString().slice(0, 10)}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00` };
}
