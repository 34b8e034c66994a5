/**
 * Show, set and adjust the credits ledger — locally or in a deployed stage. Every change needs a reason
 * and is recorded as a ledger entry.
 *
 *   npm run credits                                   # balance and recent movements
 *   npm run credits -- set 120 --reason "dashboard shows 120 after top-up"
 *   npm run credits -- adjust -2 --reason "two bookings made by hand in the dashboard"
 *   npm run credits -- release <reservationId> --reason "its command will never be replayed"
 * `set` takes what MONCRENEAU holds (the dashboard): the balance becomes that minus the credits reserved
 * by commands in flight (`reserved`, shown on the first line).
 *   (add --stage <name> for a deployed stage)
 */
import { documentClient } from '../shared/adapters/aws-clients';
import { CreditsLedger } from '../shared/adapters/credits-ledger';
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
  const ledger = new CreditsLedger(target.tables.ledger, { db: documentClient(target.dynamodb) });
  const [command = 'show', amount] = positional;
  const reason = typeof options.reason === 'string' ? options.reason.trim() : '';

  if (command === 'set' || command === 'adjust' || command === 'release') {
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
    fail(`unknown command "${command}" (show | set N --reason … | adjust ±N --reason … | release <reservationId> --reason …)`);
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
}

main().catch((error: unknown) => fail((error as Error).message));
