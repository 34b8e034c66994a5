/**
 * The webhook payloads of the MONCRENEAU docs (docs/moncreneau-api.md §8.5), used by the test-event
 * sender, the tests and the benchmark. `exampleEvent` gives each a fresh id and timestamp on request.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from './webhook-event';

export const DOCS_EXAMPLES = {
  'appointment.created': {
    id: 'evt_abc123',
    type: 'appointment.created',
    created: '2026-01-21T14:30:00Z',
    data: {
      object: {
        id: 12345,
        departmentId: 5,
        department: { id: 5, name: 'Passport Service', organization: { id: 1, name: 'Ministry of Interior' } },
        dateTime: '2026-01-25T14:30:00',
        status: 'SCHEDULED',
        name: 'Jean Dupont',
        phone: '+224621234567',
        email: 'jean.dupont@example.gn',
        qrCode: 'https://moncreneau.gn/qr/12345',
        createdAt: '2026-01-21T14:30:00Z',
        creditsUsed: 1,
      },
    },
  },
  'appointment.updated': {
    id: 'evt_def456',
    type: 'appointment.updated',
    created: '2026-01-22T10:15:00Z',
    data: {
      object: {
        id: 12345,
        departmentId: 5,
        dateTime: '2026-01-26T10:00:00',
        status: 'SCHEDULED',
        name: 'Jean Dupont',
        phone: '+224621234567',
        updatedAt: '2026-01-22T10:15:00Z',
        changes: { dateTime: { from: '2026-01-25T14:30:00', to: '2026-01-26T10:00:00' } },
      },
    },
  },
  'appointment.cancelled': {
    id: 'evt_ghi789',
    type: 'appointment.cancelled',
    created: '2026-01-23T16:45:00Z',
    data: {
      object: {
        id: 12345,
        departmentId: 5,
        dateTime: '2026-01-26T10:00:00',
        status: 'CANCELLED',
        name: 'Jean Dupont',
        phone: '+224621234567',
        cancelledAt: '2026-01-23T16:45:00Z',
        cancelledBy: 'user',
        cancelReason: 'Last minute impediment',
        creditsRefunded: 1,
      },
    },
  },
} as const satisfies Record<string, WebhookEvent>;

export type ExampleType = keyof typeof DOCS_EXAMPLES;

export function isExampleType(type: string): type is ExampleType {
  return type in DOCS_EXAMPLES;
}

/**
 * A docs example (or a bare event of any other type) with optional overrides: a fresh id and
 * `created` unless `keepIds`, and the appointment id replaced when `appointmentId` is given.
 */
export function exampleEvent(
  type: string,
  options: { id?: string; created?: string; appointmentId?: number; keepIds?: boolean } = {},
): WebhookEvent {
  const base: WebhookEvent = isExampleType(type)
    ? (JSON.parse(JSON.stringify(DOCS_EXAMPLES[type])) as WebhookEvent)
    : { id: 'evt_test', type, created: new Date().toISOString(), data: { object: {} } };
  const object = { ...base.data.object, ...(options.appointmentId !== undefined ? { id: options.appointmentId } : {}) };
  return {
    id: options.id ?? (options.keepIds ? base.id : `evt_${randomUUID().replace(/-/g, '')}`),
    type: base.type,
    created: options.created ?? (options.keepIds ? base.created : new Date().toISOString()),
    data: { object },
  };
}
