/** The payment state machine, the contract's mapping, phone masking and the signals the metrics count (pure). */
import { paymentSignals } from '../../shared/payments/apply';
import { decide } from '../../shared/payments/state-machine';
import { maskPhone } from '../../shared/payments/types';
import { readPayment } from '../../shared/moncreneau/payment-contract';
import { validatePurchase } from '../../shared/commands/purchase-command';

describe('decide', () => {
  it.each([
    [undefined, 'PENDING', { kind: 'create', to: 'PENDING', credit: false }],
    [undefined, 'SUCCESSFUL', { kind: 'create', to: 'SUCCESSFUL', credit: true }],
    [undefined, 'EXPIRED', { kind: 'none', why: 'stale' }],
    ['PENDING', 'SUCCESSFUL', { kind: 'transition', from: 'PENDING', to: 'SUCCESSFUL', credit: true }],
    ['PENDING', 'FAILED', { kind: 'transition', from: 'PENDING', to: 'FAILED', credit: false }],
    ['PENDING', 'EXPIRED', { kind: 'transition', from: 'PENDING', to: 'EXPIRED', credit: false }],
    ['PENDING', 'PENDING', { kind: 'none', why: 'duplicate' }],
    ['SUCCESSFUL', 'SUCCESSFUL', { kind: 'none', why: 'duplicate' }],
    ['SUCCESSFUL', 'PENDING', { kind: 'none', why: 'stale' }],
    ['SUCCESSFUL', 'EXPIRED', { kind: 'none', why: 'settled' }],
    ['FAILED', 'EXPIRED', { kind: 'none', why: 'settled' }],
    ['EXPIRED', 'FAILED', { kind: 'transition', from: 'EXPIRED', to: 'FAILED', credit: false }],
  ] as const)('%s + %s', (current, reported, expected) => {
    expect(decide(current, reported)).toEqual(expected);
  });

  it('a SUCCESSFUL after EXPIRED or FAILED credits and flags; a FAILED after SUCCESSFUL only flags (never backwards)', () => {
    expect(decide('EXPIRED', 'SUCCESSFUL')).toMatchObject({ kind: 'transition', credit: true, reconcile: expect.any(String) });
    expect(decide('FAILED', 'SUCCESSFUL')).toMatchObject({ kind: 'transition', credit: true, reconcile: expect.any(String) });
    expect(decide('SUCCESSFUL', 'FAILED')).toMatchObject({ kind: 'flag' });
  });
});

it('signals count a failure once: a late FAILED after EXPIRED is not a second failure', () => {
  const base = { paymentId: 'p', reported: 'FAILED', source: 'webhook' } as const;
  expect(paymentSignals({ ...base, result: 'transitioned', from: 'PENDING', to: 'FAILED' })).toMatchObject({ failed: true });
  expect(paymentSignals({ ...base, result: 'transitioned', from: 'EXPIRED', to: 'FAILED' })).toMatchObject({ failed: false });
  expect(paymentSignals({ ...base, result: 'duplicate', to: 'FAILED' })).toMatchObject({ failed: false });
});

it('reads the assumed payment object; the event type decides the status', () => {
  const object = { id: 'pay_1', status: 'PENDING', credits: 5, amount: 5000, currency: 'GNF', reference: 'OM-1', createdAt: '2026-01-01T00:00:00Z' };
  expect(readPayment(object)).toEqual({ ok: true, report: { paymentId: 'pay_1', status: 'PENDING', credits: 5, amount: 5000, currency: 'GNF', reference: 'OM-1', createdAt: '2026-01-01T00:00:00.000Z' } });
  expect(readPayment(object, 'payment.successful')).toMatchObject({ ok: true, report: { status: 'SUCCESSFUL' } });
  expect(readPayment({ ...object, credits: -1 })).toMatchObject({ ok: false });
  expect(readPayment({ ...object, status: 'WEIRD' })).toMatchObject({ ok: false });
  expect(readPayment(object, 'payment.refunded')).toMatchObject({ ok: false });
});

it('masks phone numbers and never echoes one in a validation problem', () => {
  expect(maskPhone('+224621234567')).toBe('+224•••••••67');
  const refused = validatePurchase({ credits: 0, phone: '+22462123456789012345' });
  expect(JSON.stringify(refused)).not.toContain('62123456789');
  expect(refused).toMatchObject({ ok: false, problems: [{ field: 'credits' }, { field: 'phone' }] });
  expect(validatePurchase({ credits: 10, phone: '+224621234567', reason: 'r' })).toEqual({ ok: true, value: { credits: 10, phone: '+224621234567', reason: 'r' } });
});
