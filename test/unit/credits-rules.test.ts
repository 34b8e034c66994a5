/** The pure credits rules (amounts moved, low balance) and the ledger's deterministic entry ids. */
import { entryIds } from '../../shared/credits/entries';
import { creditsDebited, creditsMoved, creditsRefunded, isLow } from '../../shared/credits/rules';
import { toSnapshot } from '../../shared/domain/appointment-snapshot';

describe('creditsMoved', () => {
  it.each([0, 1, 2, 7, 1000])('takes an integer ≥ 0 as is (%p)', (value) => {
    expect(creditsMoved(value)).toBe(value);
  });

  it.each([
    ['a negative integer', -1],
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '2'],
    ['undefined', undefined],
    ['null', null],
  ])('falls back to 1 for %s', (_label, value) => {
    expect(creditsMoved(value)).toBe(1);
  });

  it('uses a custom fallback when given one, and only when the value is unusable', () => {
    expect(creditsMoved(undefined, 5)).toBe(5);
    expect(creditsMoved(-3, 0)).toBe(0);
    expect(creditsMoved('3', 9)).toBe(9);
    expect(creditsMoved(3, 9)).toBe(3);
    expect(creditsMoved(0, 9)).toBe(0); // 0 is a real value (development environment), not "missing"
  });
});

describe('creditsDebited', () => {
  it('uses creditsUsed first', () => {
    expect(creditsDebited({ creditsUsed: 2, creditsConsumed: 5 })).toBe(2);
    expect(creditsDebited({ creditsUsed: 0, creditsConsumed: 5 })).toBe(0);
  });

  it('falls back to creditsConsumed when creditsUsed is absent', () => {
    expect(creditsDebited({ creditsConsumed: 3 })).toBe(3);
    expect(creditsDebited({ creditsUsed: undefined, creditsConsumed: 4 })).toBe(4);
  });

  it('defaults to 1 when neither says how many (or says it unusably)', () => {
    expect(creditsDebited({})).toBe(1);
    expect(creditsDebited({ creditsUsed: -2 })).toBe(1);
    expect(creditsDebited({ creditsUsed: 'two' })).toBe(1);
  });
});

describe('creditsRefunded', () => {
  it('takes creditsRefunded, else 1', () => {
    expect(creditsRefunded({ creditsRefunded: 3 })).toBe(3);
    expect(creditsRefunded({ creditsRefunded: 0 })).toBe(0);
    expect(creditsRefunded({})).toBe(1);
    expect(creditsRefunded({ creditsRefunded: 1.5 })).toBe(1);
  });

  it('ignores the debit fields', () => {
    expect(creditsRefunded({ creditsUsed: 4, creditsConsumed: 4 })).toBe(1);
  });
});

describe('isLow', () => {
  it('is strictly below the threshold', () => {
    expect(isLow(4, 5)).toBe(true);
    expect(isLow(5, 5)).toBe(false);
    expect(isLow(6, 5)).toBe(false);
    expect(isLow(-1, 0)).toBe(true);
    expect(isLow(0, 0)).toBe(false);
  });
});

describe('entryIds', () => {
  it('are deterministic: the same movement always gets the same id', () => {
    expect(entryIds.reserve('cmd-1')).toBe('reserve#cmd-1');
    expect(entryIds.release('cmd-1')).toBe('release#cmd-1');
    expect(entryIds.appointmentDebit('12345')).toBe('appt-debit#12345');
    expect(entryIds.appointmentRefund('12345')).toBe('appt-refund#12345');
    expect(entryIds.sync('u1')).toBe('sync#u1');
    expect(entryIds.manualSet('u1')).toBe('manual-set#u1');
    expect(entryIds.manualAdjust('u1')).toBe('manual#u1');
    expect(entryIds.reserve('cmd-1')).toBe(entryIds.reserve('cmd-1'));
  });

  it('are distinct per kind for the same key, and per key for the same kind', () => {
    const kinds = Object.values(entryIds).map((id) => id('x'));
    expect(new Set(kinds).size).toBe(Object.keys(entryIds).length);
    expect(entryIds.appointmentDebit('1')).not.toBe(entryIds.appointmentDebit('2'));
    // A reservation and an appointment debit never share an id, even when the keys coincide.
    expect(entryIds.reserve('7')).not.toBe(entryIds.appointmentDebit('7'));
  });

  it('make our booking and its webhook meet on appt-debit#<id>', () => {
    // Our side: the create command's response carries a numeric id, confirmed as String(appointment.id).
    const booked = { id: 100001 };
    const ours = entryIds.appointmentDebit(String(booked.id));
    // Their side: the `appointment.created` webhook for the same appointment (numeric or string id).
    const webhook = (id: unknown) =>
      toSnapshot({ id: 'evt_x', type: 'appointment.created', created: '2026-01-21T14:30:00Z', data: { object: { id, creditsUsed: 1 } } }, 'appointment.created');
    expect(ours).toBe('appt-debit#100001');
    expect(entryIds.appointmentDebit(webhook(100001).appointmentId)).toBe(ours);
    expect(entryIds.appointmentDebit(webhook(' 100001 ').appointmentId)).toBe(ours);
    expect(entryIds.appointmentDebit(webhook(100002).appointmentId)).not.toBe(ours);
  });
});
