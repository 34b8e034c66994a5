/** The ledger's refusals, matched by class wherever they are handled. */

/** The ledger's known balance cannot cover a reservation: MONCRENEAU is not called. */
export class InsufficientCreditsLocalError extends Error {
  constructor(readonly balance: number) {
    super(`Insufficient credits: the ledger balance is ${balance}`);
    this.name = 'InsufficientCreditsLocalError';
  }
}
