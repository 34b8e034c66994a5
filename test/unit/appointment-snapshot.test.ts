/** The pure appointment domain: event ordering (timestamp, lifecycle rank, event id) and snapshots. */
import { InvalidAppointmentEvent, isNewer, orderOf, toSnapshot } from '../../shared/domain/appointment-snapshot';
import type { AppointmentEventType, WebhookEvent } from '../../shared/moncreneau/webhook-event';

/** A webhook envelope as MONCRENEAU sends it (plain object, shaped like WebhookEvent). */
function event(id: string, created: string, type: AppointmentEventType, object: Record<string, unknown>): WebhookEvent {
  return { id, type, created, data: { object } };
}

describe('orderOf', () => {
  it('normalises `created` to UTC milliseconds ISO', () => {
    expect(orderOf({ id: 'evt_1', created: '2026-01-21T14:30:00+01:00' }, 'appointment.created')).toEqual({
      at: '2026-01-21T13:30:00.000Z',
      eventId: 'evt_1',
      key: '2026-01-21T13:30:00.000Z#0#evt_1',
    });
    expect(orderOf({ id: 'evt_2', created: '2026-01-21T14:30:00Z' }, 'appointment.cancelled').at).toBe('2026-01-21T14:30:00.000Z');
  });

  it('orders by the instant, not by the text of the timestamp', () => {
    // As text "…14:30+01:00" > "…14:00Z", but 13:30Z is earlier than 14:00Z.
    const offset = orderOf({ id: 'evt_b', created: '2026-01-21T14:30:00+01:00' }, 'appointment.created');
    const utc = orderOf({ id: 'evt_a', created: '2026-01-21T14:00:00Z' }, 'appointment.created');
    expect(isNewer(utc, offset)).toBe(true);
    expect(isNewer(offset, utc)).toBe(false);
  });

  it('breaks ties at the same second by lifecycle: created < updated < confirmed < validated < cancelled', () => {
    const created = '2026-01-21T14:30:00Z';
    // Event ids deliberately in reverse alphabetical order, so only the rank can produce this order.
    const lifecycle: Array<[AppointmentEventType, string]> = [
      ['appointment.created', 'evt_e'],
      ['appointment.updated', 'evt_d'],
      ['appointment.confirmed', 'evt_c'],
      ['appointment.validated', 'evt_b'],
      ['appointment.cancelled', 'evt_a'],
    ];
    const orders = lifecycle.map(([type, id]) => orderOf({ id, created }, type));
    const shuffled = [orders[3], orders[0], orders[4], orders[2], orders[1]];
    const sorted = [...shuffled].sort((a, b) => (isNewer(a, b) ? 1 : isNewer(b, a) ? -1 : 0));
    expect(sorted.map((o) => o.eventId)).toEqual(['evt_e', 'evt_d', 'evt_c', 'evt_b', 'evt_a']);
    for (let i = 1; i < orders.length; i += 1) expect(isNewer(orders[i], orders[i - 1])).toBe(true);
  });

  it('breaks ties of timestamp and type by event id', () => {
    const a = orderOf({ id: 'evt_a', created: '2026-01-21T14:30:00Z' }, 'appointment.updated');
    const b = orderOf({ id: 'evt_b', created: '2026-01-21T14:30:00Z' }, 'appointment.updated');
    expect(isNewer(b, a)).toBe(true);
    expect(isNewer(a, b)).toBe(false);
  });

  it('a later timestamp wins over a later lifecycle rank', () => {
    const cancelled = orderOf({ id: 'evt_z', created: '2026-01-21T14:30:00Z' }, 'appointment.cancelled');
    const updated = orderOf({ id: 'evt_a', created: '2026-01-21T14:30:01Z' }, 'appointment.updated');
    expect(isNewer(updated, cancelled)).toBe(true);
    expect(isNewer(cancelled, updated)).toBe(false);
  });
});

describe('isNewer', () => {
  const older = orderOf({ id: 'evt_1', created: '2026-01-22T10:15:00Z' }, 'appointment.updated');
  const newer = orderOf({ id: 'evt_2', created: '2026-01-23T16:45:00Z' }, 'appointment.updated');

  it('is true for the newer event and false the other way round', () => {
    expect(isNewer(newer, older)).toBe(true);
    expect(isNewer(older, newer)).toBe(false);
  });

  it('is false for the same event (not newer than itself)', () => {
    expect(isNewer(newer, orderOf({ id: 'evt_2', created: '2026-01-23T16:45:00Z' }, 'appointment.updated'))).toBe(false);
  });
});

describe('toSnapshot', () => {
  const created = '2026-01-23T16:45:00Z';

  it.each([
    ['appointment.cancelled', 'CANCELLED'],
    ['appointment.validated', 'VALIDATED'],
    ['appointment.confirmed', 'CONFIRMED'],
  ] as Array<[AppointmentEventType, string]>)('%s without a status implies %s', (type, status) => {
    const snapshot = toSnapshot(event('evt_1', created, type, { id: 12345 }), type);
    expect(snapshot.status).toBe(status);
    expect(snapshot.fields).toEqual({ id: 12345, status });
  });

  it.each(['appointment.created', 'appointment.updated'] as AppointmentEventType[])('%s without a status implies none', (type) => {
    const snapshot = toSnapshot(event('evt_1', created, type, { id: 12345, name: 'Jean Dupont' }), type);
    expect(snapshot.status).toBeUndefined();
    expect(snapshot.fields).toEqual({ id: 12345, name: 'Jean Dupont' });
    expect(snapshot.fields).not.toHaveProperty('status');
  });

  it('keeps an explicit status over the implied one', () => {
    const snapshot = toSnapshot(event('evt_1', created, 'appointment.confirmed', { id: 12345, status: 'SCHEDULED' }), 'appointment.confirmed');
    expect(snapshot.status).toBe('SCHEDULED');
    expect(snapshot.fields.status).toBe('SCHEDULED');
  });

  it('excludes the event-only `changes`, drops undefined values and keeps everything else', () => {
    const snapshot = toSnapshot(
      event('evt_def456', '2026-01-22T10:15:00Z', 'appointment.updated', {
        id: 12345,
        dateTime: '2026-01-26T10:00:00',
        status: 'SCHEDULED',
        email: undefined,
        workerId: null,
        changes: { dateTime: { from: '2026-01-25T14:30:00', to: '2026-01-26T10:00:00' } },
      }),
      'appointment.updated',
    );
    expect(snapshot).toEqual({
      appointmentId: '12345',
      status: 'SCHEDULED',
      fields: { id: 12345, dateTime: '2026-01-26T10:00:00', status: 'SCHEDULED', workerId: null },
      order: { at: '2026-01-22T10:15:00.000Z', eventId: 'evt_def456', key: '2026-01-22T10:15:00.000Z#1#evt_def456' },
      eventType: 'appointment.updated',
    });
    expect(Object.keys(snapshot.fields)).not.toContain('changes');
    expect(Object.keys(snapshot.fields)).not.toContain('email');
  });

  it('accepts a numeric id and a string id (trimmed)', () => {
    expect(toSnapshot(event('evt_1', created, 'appointment.created', { id: 12345 }), 'appointment.created').appointmentId).toBe('12345');
    expect(toSnapshot(event('evt_1', created, 'appointment.created', { id: '  A-77 ' }), 'appointment.created').appointmentId).toBe('A-77');
    expect(toSnapshot(event('evt_1', created, 'appointment.created', { id: 0 }), 'appointment.created').appointmentId).toBe('0');
  });

  it.each([
    ['missing', {}],
    ['blank', { id: '   ' }],
    ['empty', { id: '' }],
    ['NaN', { id: Number.NaN }],
    ['Infinity', { id: Number.POSITIVE_INFINITY }],
    ['null', { id: null }],
    ['an object', { id: { value: 1 } }],
  ] as Array<[string, Record<string, unknown>]>)('throws InvalidAppointmentEvent when the id is %s', (_label, object) => {
    const bad = event('evt_bad', created, 'appointment.cancelled', object);
    expect(() => toSnapshot(bad, 'appointment.cancelled')).toThrow(InvalidAppointmentEvent);
    expect(() => toSnapshot(bad, 'appointment.cancelled')).toThrow('appointment.cancelled evt_bad has no appointment id in data.object.id');
  });
});
