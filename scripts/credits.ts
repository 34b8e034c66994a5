/**
 * Show, set and adjust the credits ledger — locally or in a deployed stage. Every change needs a reason
 * and is recorded as a ledger entry.
 *
 *   npm run credits                                   # balance and recent movements
 *   npm run credits -- set 120 --reason "dashboard shows 120 after top-up"
 *   npm run credits -- adjust -2 --reason "two bookings made by hand in the dashboard"
 *   npm run credits -- release <reservationId> --reason "its command will never be replayed"
 *   npm run credits -- purchase 50 [--phone +224…] --reason "top-up"     # Orange Money, through the outbound worker
 *   npm run credits -- auto-recharge resume --reason "payer account funded again"
 * `set` takes what MONCRENEAU holds (the dashboard): the balance becomes that minus the credits reserved
 * by commands in flight (`reserved`, shown on the first line).
 *   (add --stage <name> for a deployed stage)
 */
import { randomUUID } from 'node:crypto';
import { documentClient } from '../shared/adapters/aws-clients';
import { CommandsTable } from '../shared/adapters/commands-table';
import { CreditsLedger } from '../shared/adapters/credits-ledger';
import { OutboundQueue } from '../shared/adapters/outbound-queue';
import { PaymentsTable } from '../shared/adapters/payments-table';
import { acceptCommand } from '../shared/commands/accept';
import { purchaseRequest, validatePurchase } from '../shared/commands/purchase-command';
import type { PaymentRecord } from '../shared/payments/types';
import { stageConfig } from '../infra/config/stages';
import { fail, parseArgs } from './lib/args';
import { resolveTarget } from './lib/target';

function wholeNumber(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value)) fail(`${what} must be a whole number of credits`);
  return value;
}

async function main(): Promise<void> {
  const { positional, options } = parseArgs(process.argv.slice(2));
  const target = resolveTarget(options);
  const db = documentClient(target.dynamodb);
  const ledger = new CreditsLedger(target.tables.ledger, { db });
  const payments = new PaymentsTable(target.tables.payments, ledger, { db });
  const [command = 'show', amount] = positional;
  const reason = typeof options.reason === 'string' ? options.reason.trim() : '';

  if (command === 'purchase') {
    if (!reason) fail('purchase needs --reason "…" (it is recorded on the payment)');
    const phone = typeof options.phone === 'string' ? options.phone : undefined;
    const valid = validatePurchase({ credits: Number(amount), ...(phone ? { phone } : {}), reason });
    if (!valid.ok) fail(valid.problems.map((p) => `${p.field} ${p.problem}`).join('; '));
    const queue = await target.queue('outboundCommands');
    const commands = new CommandsTable(target.tables.commands, { db });
    const retentionDays = stageConfig(target.kind === 'local' ? 'dev' : String(options.stage)).outbound.commandRetentionDays;
    const outcome = await acceptCommand(
      { store: commands, queue: new OutboundQueue(queue.url, undefined, target.sqs), newId: randomUUID, now: () => new Date(), retentionDays },
      purchaseRequest({ ...valid.value, origin: 'cli' }, typeof options['idempotency-key'] === 'string' ? options['idempotency-key'] : `cli-${randomUUID()}`),
    );
    if (outcome.kind !== 'accepted') fail(`not accepted: ${outcome.kind}`);
    console.log(`purchase of ${valid.value.credits} credits queued: command ${outcome.command.commandId} (the outbound worker sends it under the global rate limit)`);
    await follow(payments, commands, outcome.command.commandId, Number(options.wait ?? 60));
  } else if (command === 'auto-recharge') {
    if (amount === 'resume') {
      if (!reason) fail('auto-recharge resume needs --reason "…"');
      await payments.resume(`manual: ${reason}`, new Date().toISOString());
      console.log('auto-recharge resumed (failure count reset)');
    } else if (amount !== undefined) fail('usage: auto-recharge [resume --reason …]');
  } else if (command === 'set' || command === 'adjust' || command === 'release') {
    if (!reason) fail(`${command} needs --reason "…" (it is recorded in the ledger)`);
    if (command === 'set') {
      const set = await ledger.setBalance(wholeNumber(amount, 'the balance'), `manual: ${reason}`);
      console.log(`set: MONCRENEAU holds ${set.available} − ${set.reserved} reserved by commands in flight = balance ${set.setTo}`);
    } else if (command === 'adjust') {
      await ledger.adjust(wholeNumber(amount, 'the adjustment'), `manual: ${reason}`);
    } else {
      if (!amount) fail('release needs the reservation id (the part after reserve# of a held reservation)');
      console.log(`release ${amount}: ${await ledger.releaseReservation(amount, `manual: ${reason}`)}`);
    }
  } else if (command !== 'show') {
    fail(`unknown command "${command}" (show | set N --reason … | adjust ±N --reason … | release <reservationId> --reason … | purchase N [--phone +…] --reason … | auto-recharge [resume --reason …])`);
  }
  const state = await ledger.state();
  console.log(
    `${target.label}: balance ${state.balance ?? 'unknown (set it with: npm run credits -- set N --reason …)'}, ${state.reserved} reserved by commands in flight` +
      `${state.updatedAt ? ` (updated ${state.updatedAt})` : ''}`,
  );
  for (const e of await ledger.recent(Number(options.limit ?? 15))) {
    const change = e.setTo !== undefined ? `= ${e.setTo}` : `${(e.amount ?? 0) >= 0 ? '+' : ''}${e.amount}`;
    const detail = e.available !== undefined ? ` [${e.available} at MONCRENEAU − ${e.reserved ?? 0} reserved]` : e.held ? ' [held]' : e.settledAs ? ` [${e.settledAs}]` : '';
    console.log(`  ${e.createdAt}  ${change.padStart(5)}  ${e.kind.padEnd(18)} ${e.entryId.padEnd(44)} ${e.reason}${detail}`);
  }
  const purchases = await payments.recent(Number(options.purchases ?? 10));
  console.log(`purchases (${purchases.length} recent):`);
  for (const p of purchases) console.log(`  ${describePayment(p)}`);
  const auto = await payments.read();
  console.log(
    `auto-recharge: ${auto.stoppedAt ? `STOPPED at ${auto.stoppedAt} (${auto.stoppedReason}); resume: npm run credits -- auto-recharge resume --reason …` : auto.commandId ? `purchase in flight (command ${auto.commandId}, since ${auto.startedAt})` : 'idle'}` +
      `, ${auto.consecutiveFailures} consecutive failure(s)${auto.lastOutcome ? `, last: ${auto.lastOutcome}` : ''} (flag autoRecharge: npm run flags)`,
  );
}

function describePayment(p: PaymentRecord): string {
  const path = p.transitions.map((t) => `${t.to}(${t.source})`).join(' → ');
  return `${p.createdAt}  ${p.paymentId.padEnd(20)} ${p.status.padEnd(10)} ${String(p.credits).padStart(5)} credits  ${p.origin.padEnd(7)} ${path}${p.creditedAt ? '  [credited]' : ''}${p.reconcile ? `  reconcile: ${p.reconcile}` : ''}${p.reason ? `  reason: ${p.reason}` : ''}`;
}

/** Prints the purchase's progress (command, then payment state) until it settles or `seconds` pass. */
async function follow(payments: PaymentsTable, commands: CommandsTable, commandId: string, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  let said = '';
  const say = (line: string) => {
    if (line !== said) console.log(`  ${new Date().toISOString()}  ${line}`);
    said = line;
  };
  while (Date.now() < until) {
    const attempt = await payments.attempt(commandId);
    const payment = attempt?.kind === 'done' ? await payments.get(attempt.report.paymentId) : undefined;
    if (payment) {
      say(`payment ${payment.paymentId}: ${payment.status}${payment.creditedAt ? ` (+${payment.credits} credited)` : ''}`);
      if (payment.status !== 'PENDING') return;
    } else {
      const cmd = await commands.get(commandId);
      say(`command ${commandId}: ${cmd?.status ?? 'not stored yet'}${cmd?.error ? ` ${cmd.error.code}: ${cmd.error.message}` : ''}`);
      if (cmd?.status === 'FAILED') return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`  still unsettled after ${seconds} s; npm run credits shows it later (unanswered, it expires payments.timeoutMinutes after it started, after one poll)`);
}

main().catch((error: unknown) => fail((error as Error).message));
