/**
 * Sends a correctly signed MONCRENEAU webhook to an endpoint — the checklist's "webhook tests"
 * without ngrok. The secret comes from MONCRENEAU_WEBHOOK_SECRET (environment or .env), never
 * from the command line (shell history, process lists).
 *
 *   npm run webhook:send -- [--type appointment.created] [--docs-example] [--appointment-id 42]
 *                           [--file event.json] [--url https://…/webhooks/moncreneau]
 *                           [--repeat 3] [--tamper] [--unsigned] [--header x-webhook-signature --bare]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadLocalEnv } from '../infra/local/local-env';
import { readRuntimeInfo } from '../infra/local/runtime-file';
import { exampleEvent } from '../shared/moncreneau/examples';
import { computeSignature } from '../shared/moncreneau/signature';
import { checkEnvelope } from '../shared/moncreneau/webhook-event';
import { fail, parseArgs } from './lib/args';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function main(): Promise<void> {
  const { options } = parseArgs(process.argv.slice(2));
  const url = typeof options.url === 'string' ? options.url : (readRuntimeInfo()?.webhookUrl ?? 'http://127.0.0.1:3000/webhooks/moncreneau');
  const parsedUrl = new URL(url);
  const local = LOOPBACK.has(parsedUrl.hostname);
  if (parsedUrl.protocol !== 'https:' && !local) fail('webhook URLs must be HTTPS (plain HTTP is accepted for loopback only)');
  const root = path.resolve(__dirname, '..');
  if (local) {
    // Same configuration as `npm start`: .env, then the .env.example defaults (the sandbox's secret).
    for (const notice of loadLocalEnv(root)) console.error(notice);
  } else if (existsSync(path.join(root, '.env'))) {
    // A deployed endpoint is never signed with the example secret: only .env or the shell.
    process.loadEnvFile(path.join(root, '.env'));
  }
  const secret = process.env.MONCRENEAU_WEBHOOK_SECRET;
  if (!secret && !options.unsigned) fail('set MONCRENEAU_WEBHOOK_SECRET (environment or .env) to sign the event');

  const type = typeof options.type === 'string' ? options.type : 'appointment.created';
  const event =
    typeof options.file === 'string'
      ? JSON.parse(readFileSync(options.file, 'utf8'))
      : exampleEvent(type, {
          keepIds: Boolean(options['docs-example']),
          appointmentId: typeof options['appointment-id'] === 'string' ? Number(options['appointment-id']) : undefined,
        });
  const checked = checkEnvelope(event);
  if (!checked.ok) fail(`the event is not a valid envelope: ${checked.problems.join('; ')}`);

  const body = JSON.stringify(event);
  const hex = computeSignature(body, secret ?? '');
  const headerName = typeof options.header === 'string' ? options.header : 'X-Moncreneau-Signature';
  const signature = options.tamper ? `sha256=${'0'.repeat(64)}` : options.bare ? hex : `sha256=${hex}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-moncreneau-event': checked.event.type };
  if (!options.unsigned) headers[headerName] = signature;

  const repeat = typeof options.repeat === 'string' ? Math.max(1, Number(options.repeat)) : 1;
  let failures = 0;
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    const ms = (performance.now() - started).toFixed(1);
    console.log(`${res.status} ${checked.event.type} ${checked.event.id} → ${url} (${ms} ms) ${text}`);
    if (!res.ok) failures++;
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

main().catch((error: unknown) => fail((error as Error).message));
