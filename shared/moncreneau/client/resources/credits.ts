/**
 * Credit purchases (ASSUMED contract, shared/moncreneau/payment-contract.ts): start one, poll one. A
 * purchase spends money and MONCRENEAU documents no idempotency for it, so its POST is never resent once it
 * may have reached the server (`idempotent: false`): an unknown outcome is the caller's to reconcile.
 */
import { PAYMENT_CONTRACT, purchaseBody } from '../../payment-contract';
import type { RequestExecutor } from '../executor';
import type { CallOptions } from '../types';

export class CreditsResource {
  constructor(private readonly executor: RequestExecutor) {}

  /** POST /credits/purchases → the payment object as answered (read it with readPayment). */
  async purchase(request: { readonly credits: number; readonly phone?: string }, call?: CallOptions): Promise<unknown> {
    const res = await this.executor.execute<unknown>({ method: 'POST', route: PAYMENT_CONTRACT.startPath, body: purchaseBody(request.credits, request.phone), idempotent: false }, call);
    return res.data;
  }

  /** GET /credits/purchases/{id} → the payment object as answered. */
  async getPurchase(paymentId: string, call?: CallOptions): Promise<unknown> {
    const res = await this.executor.execute<unknown>({ method: 'GET', route: PAYMENT_CONTRACT.pollPath, params: { id: paymentId }, idempotent: true }, call);
    return res.data;
  }
}
