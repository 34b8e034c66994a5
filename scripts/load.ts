/**
 * npm run load -- [webhooks | outbound | all] [--short] [options] — load and fault runs on the local stack
 * (127.0.0.1 only; starts its own emulators, sandbox and functions, and stops them), bounded in count and
 * time. See docs/load-testing.md for what each figure means.
 *
 *   webhooks  --events N (default 10 000, at most 10 000) --kills N (5) --aws-faults R (0.05) --seed N (7)
 *             --commands N (40) --no-redrive
 *   outbound  --duration S (seconds, default 180, at most 3600) --scale K (1, at most 20)
 *             --per-minute N (100) --per-hour N (6000) --offered N (per minute at scale 1; default --per-minute)
 *   --short   both, small: 150 events with one kill; 10 s of outbound with a default-quota key (what `npm test` runs)
 *   --json    end with one JSON line of every figure
 * Exit status 0 when every target is met, 1 otherwise.
 */
import { parseArgs, fail } from './lib/args';
import { startEmulators } from '../infra/local/emulators';
import { quietConsole } from './lib/load/console';
import { formatWebhookReport, type WebhookReport } from './lib/load/webhook-report';
import { formatOutboundReport, type OutboundReport } from './lib/load/outbound-run';
import { outboundSettings, runOutboundLoad, runWebhookLoad, webhookSettings } from './lib/load/settings';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { positional, options } = parseArgs(process.argv.slice(2));
  const what = positional[0] ?? 'all';
  if (!['webhooks', 'outbound', 'all'].includes(what)) fail(`unknown run "${what}": webhooks, outbound or all`);
  const short = options.short === true;
  const webhooks = what === 'outbound' ? undefined : webhookSettings(options, short);
  const outbound = what === 'webhooks' ? undefined : outboundSettings(options, short);

  const io = quietConsole();
  const emulators = await startEmulators();
  const results: { webhooks?: WebhookReport; outbound?: OutboundReport } = {};
  try {
    io.say(`MONCRENEAU load runs — node ${process.version}, ${new Date().toISOString()}${short ? ' (short)' : ''}`);
    if (webhooks) {
      io.say(`Webhooks: ${webhooks.events} events, ${webhooks.kills} processor kill(s), ${webhooks.awsFaults.dynamodb * 100} % AWS faults, ${webhooks.commands} commands against a faulty sandbox…`);
      results.webhooks = await runWebhookLoad({ ...webhooks, emulators, progress: io.progress });
      io.say(formatWebhookReport(results.webhooks));
    }
    if (outbound) {
      io.say(`Outbound: ${outbound.offeredPerMinute * outbound.scale} commands/min for ${outbound.durationMs / 1000} s…`);
      results.outbound = await runOutboundLoad({ ...outbound, emulators, progress: io.progress });
      io.say(formatOutboundReport(results.outbound));
    }
    if (options.json) io.say(JSON.stringify(results));
  } finally {
    io.restore();
    await emulators.stop();
  }
  const ok = (results.webhooks?.ok ?? true) && (results.outbound?.ok ?? true);
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
