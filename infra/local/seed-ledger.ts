/** Locally, the kit's ledger starts where MONCRENEAU (here the sandbox) stands, as an operator would set it. */
import { CreditsLedger } from '../../shared/adapters/credits-ledger';
import { documentClient } from '../../shared/adapters/aws-clients';
import type { PrepareContext } from './stack';

export async function seedLedgerFromSandbox({ resources, clients, sandbox, log }: PrepareContext): Promise<void> {
  if (!sandbox) return;
  const credits = sandbox.control.getCredits();
  await new CreditsLedger(resources.tables.ledger, { db: documentClient(clients.dynamodb) }).setBalance(credits, 'local: seeded from the MONCRENEAU sandbox');
  log(`Credits ledger seeded from the sandbox: ${credits}`);
}
