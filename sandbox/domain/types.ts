/** Domain records the sandbox keeps. Plain JSON-serialisable data so the state file is a dump of it. */

/**
 * A key's scope: `appointments:read` and `appointments:create` are documented, `credits:purchase` is
 * assumed. Any string is accepted so tests can create keys with unknown or missing scopes.
 */
export type Scope = string;

export interface Organization {
  id: number;
  name: string;
  credits: number;
}

export interface Worker {
  id: number;
  name: string;
}

export interface TimeRange {
  start: string; // HH:mm
  end: string; // HH:mm
}

export type WeekDay = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export interface Department {
  id: number;
  organizationId: number;
  name: string;
  description: string;
  slotDuration: number; // minutes (assumed unit)
  isActive: boolean;
  showAdminsInBooking: boolean;
  openingHours: Partial<Record<WeekDay, TimeRange[]>>;
  workers: Worker[];
}

export interface ApiKey {
  key: string;
  name: string;
  organizationId: number;
  scopes: Scope[];
  quotaPerHour: number;
  /** ms since epoch; null = never expires. */
  expiresAt: number | null;
  revoked: boolean;
  createdAt: string;
}

export type AppointmentStatus = 'PENDING_PAYMENT' | 'SCHEDULED' | 'COMPLETED' | 'CANCELLED' | 'NO_SHOW';

export interface Appointment {
  id: number;
  organizationId: number;
  departmentId: number;
  dateTime: string; // YYYY-MM-DDTHH:mm:ss, no offset
  status: AppointmentStatus;
  name: string;
  phone: string | null;
  email: string | null;
  workerId: number | null;
  externalUserId: string | null;
  createdAt: string;
  updatedAt: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  cancelReason: string | null;
  validatedAt: string | null;
  confirmedAt: string | null;
}

export type PaymentStatus = 'PENDING' | 'SUCCESSFUL' | 'FAILED';
export type PaymentOutcome = 'SUCCESSFUL' | 'FAILED' | 'NO_ANSWER';

export interface Payment {
  id: string;
  organizationId: number;
  status: PaymentStatus;
  amount: number;
  currency: string;
  credits: number;
  provider: 'ORANGE_MONEY';
  reference: string;
  phone: string | null;
  createdAt: string;
  /** ms since epoch when the provider answers; null = it never answers. */
  settleAt: number | null;
  /** Outcome the simulated provider will give. */
  plannedOutcome: PaymentOutcome;
  settledAt: string | null;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
  /** Event types, or ['*'] for all. */
  events: string[];
  active: boolean;
}

export const EVENT_TYPES = [
  'appointment.created',
  'appointment.updated',
  'appointment.cancelled',
  'appointment.validated',
  'appointment.confirmed',
  'payment.pending',
  'payment.successful',
  'payment.failed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface WebhookEvent {
  id: string;
  type: EventType;
  created: string;
  data: { object: Record<string, unknown> };
}
