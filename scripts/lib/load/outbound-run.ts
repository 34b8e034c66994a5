/**
 * The outbound load run: create commands offered at a steady rate through the real path — appointments API
 * (HTTP) → command record → SQS → outbound worker → MONCRENEAU client under the global GCRA limiter — to the
 * sandbox, whose key has the hourly quota the kit is told, as a real key's dashboard limit would be. A proxy
 * in front of the sandbox timestamps every request as it arrives and records the answer: the server's view,
 * from which the per-window rates, the densest window and the 429s are counted.
 *
 * `scale` k multiplies the offered rate and every limit (the kit's per-minute and per-hour rules, the key's
 * quota) by k, windows unchanged: k minutes' traffic per real minute, under limits k times higher.
 */
import { randomBytes } from 'node:crypto';
import type { Emulators } from '../../../infra/local/emulators';
import { densestWindow, perWindowCounts } from '../../../bench/lib/windows';
import { pool, summarize, type LatencySummary } from '../../../bench/lib/stats';
import { queueDepth } from './stores';
import { startLoadStack } from './load-stack';
import { localClients } from '../../../infra/local/clients';
import { weekdaySlot } from './slots';

export interface OutboundRunOptions {
  readonly emulators: Emulators;
  readonly durationMs: number;
  readonly scale: number;
  /** The kit's rules at scale 1 (and the key's quota): 100/min (checklist) and the key's hourly quota. */
  readonly perMinute: number;
  readonly perHour: number;
  /** Commands offered per minute at scale 1 (default: perMinute). */
  readonly offeredPerMinute: number;
  /** How long to wait for the backlog after the last command was offered. */
  readonly drainTimeoutMs: number;
  readonly progress?: (line: string) => void;
  readonly log?: (line: string) => void;
}

export interface OutboundReport {
  readonly scale: number;
  readonly limitPerMinute: number;
  readonly limitPerHour: number;
  readonly offeredPerMinute: number;
  readonly durationSeconds: number;
  readonly offered: number;
  readonly accepted: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly open: number;
  readonly requests: number;
  /** Requests per consecutive 60 s window from the first offer, at the sandbox. */
  readonly perWindow: readonly number[];
  readonly densest60s: number;
  readonly status429: number;
  readonly otherErrors: number;
  /** Command accepted → SUCCEEDED (s), from the command's own timestamps. */
  readonly completion?: LatencySummary;
  readonly ok: boolean;
}

const WINDOW_MS = 60_000;

export async function runOutboundLoad(options: OutboundRunOptions): Promise<OutboundReport> {
  const progress = options.progress ?? (() => undefined);
  const runId = randomBytes(3).toString('hex');
  const limitPerMinute = options.perMinute * options.scale;
  const limitPerHour = options.perHour * options.scale;
  const offeredPerMinute = options.offeredPerMinute * options.scale;
  const offered = Math.max(1, Math.round((offeredPerMinute * options.durationMs) / WINDOW_MS));
  const load = await startLoadStack({
    emulators: options.emulators,
    namePrefix: `loadout-${runId}-`,
    credits: offered + 100,
    perMinute: limitPerMinute,
    perHour: limitPerHour,
    recordArrivals: true,
    log: options.log,
  });
  const clients = localClients(options.emulators);
  try {
    const arrivals = load.arrivals!;
    arrivals.reset();
    const start = Date.now();
    const interval = WINDOW_MS / offeredPerMinute;
    const commands: Array<{ id: string; status?: string; seconds?: number }> = [];
    let rejected = 0;
    const ticker = setInterval(() => progress(line(Date.now() - start, commands.length, offered, arrivals.arrivals(), limitPerMinute)), 1000);
    try {
      // Offered on a fixed schedule (not back to back): a steady 100/min as the integrator's traffic would be.
      const posts: Array<Promise<void>> = [];
      for (let k = 0; k < offered; k++) {
        const due = start + k * interval;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        posts.push(
          (async () => {
            const key = `load-out-${runId}-${k}`;
            const res = await fetch(`${load.stack.apiUrl}/appointments`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
              body: JSON.stringify({ ...weekdaySlot(k), name: `Load Outbound ${k}`, externalUserId: key }),
            });
            const body = (await res.json()) as { commandId?: string };
            if (res.status === 202 && body.commandId) commands.push({ id: body.commandId });
            else rejected += 1;
          })(),
        );
      }
      await Promise.all(posts);
      // The backlog drains at the limiter's pace (queue depth counts messages in flight and delayed too).
      const deadline = Date.now() + options.drainTimeoutMs;
      while (Date.now() < deadline && (await queueDepth(clients.sqs, load.stack.resources.queues.outboundCommands.url)) > 0) await new Promise((r) => setTimeout(r, 1000));
      await pool(commands, 8, async (c) => {
        const res = await fetch(`${load.stack.apiUrl}/commands/${c.id}`);
        const view = (await res.json()) as { status?: string; createdAt?: string; completedAt?: string };
        c.status = view.status;
        if (view.completedAt && view.createdAt) c.seconds = (Date.parse(view.completedAt) - Date.parse(view.createdAt)) / 1000;
      });
    } finally {
      clearInterval(ticker);
    }
    const end = Date.now();
    const seen = arrivals.arrivals().filter((a) => a.path.includes('/api/v1/'));
    const instants = seen.map((a) => a.at);
    const perWindow = perWindowCounts(instants, start, Math.max(end, start + 1), WINDOW_MS);
    const densest = densestWindow(instants, WINDOW_MS).count;
    const status429 = seen.filter((a) => a.status === 429).length;
    const otherErrors = seen.filter((a) => a.status !== undefined && a.status >= 400 && a.status !== 429).length;
    const done = commands.filter((c) => c.status === 'SUCCEEDED' && c.seconds !== undefined);
    const report: OutboundReport = {
      scale: options.scale,
      limitPerMinute,
      limitPerHour,
      offeredPerMinute,
      durationSeconds: options.durationMs / 1000,
      offered,
      accepted: commands.length,
      succeeded: commands.filter((c) => c.status === 'SUCCEEDED').length,
      failed: commands.filter((c) => c.status === 'FAILED').length,
      open: commands.filter((c) => c.status !== 'SUCCEEDED' && c.status !== 'FAILED').length + rejected,
      requests: seen.length,
      perWindow,
      densest60s: densest,
      status429,
      otherErrors,
      completion: done.length ? summarize(done.map((c) => c.seconds!)) : undefined,
      ok: false,
    };
    return { ...report, ok: status429 === 0 && densest <= limitPerMinute && report.open === 0 && report.failed === 0 };
  } finally {
    clients.destroy();
    await load.stop();
  }
}

function line(elapsedMs: number, accepted: number, offered: number, arrivals: ReadonlyArray<{ at: number; status?: number }>, limit: number): string {
  const now = Date.now();
  const lastMinute = arrivals.filter((a) => a.at > now - WINDOW_MS).length;
  const r429 = arrivals.filter((a) => a.status === 429).length;
  return `outbound ${(elapsedMs / 1000).toFixed(0)} s · commands accepted ${accepted}/${offered} · sandbox requests ${arrivals.length} · last 60 s ${lastMinute} (limit ${limit}) · 429s ${r429}`;
}

export function formatOutboundReport(r: OutboundReport): string {
  const mark = (good: boolean) => (good ? 'OK' : 'FAILED');
  const lines = [
    `Outbound load: ${r.offered} create commands offered at ${r.offeredPerMinute}/min for ${r.durationSeconds} s (scale ${r.scale}); kit limits ${r.limitPerMinute}/min and ${r.limitPerHour}/h, the sandbox key's quota ${r.limitPerHour}/h`,
    `  commands: ${r.accepted} accepted (202), ${r.succeeded} succeeded, ${r.failed} failed, ${r.open} not final`,
    `  at the sandbox: ${r.requests} requests; per 60 s window from the first offer: ${r.perWindow.join(', ')}`,
    `  densest 60 s window ${r.densest60s} (limit ${r.limitPerMinute}): ${mark(r.densest60s <= r.limitPerMinute)};  429 answers ${r.status429} (target 0): ${mark(r.status429 === 0)};  other error answers ${r.otherErrors}`,
    ...(r.completion ? [`  accepted → SUCCEEDED: p50 ${r.completion.p50.toFixed(1)} s, p99 ${r.completion.p99.toFixed(1)} s (queueing behind the limiter and the workers)`] : []),
    `  RESULT: ${r.ok ? 'PASS' : 'FAIL'}`,
  ];
  return lines.join('\n');
}
