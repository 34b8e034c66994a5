/**
 * Everything the sandbox starts with, so that it works with no setup, plus the assumed behaviours
 * (docs/sandbox.md "Assumptions"). The repo's .env.example refers to the values below.
 */
import type { ApiKey, Department, Organization, PaymentOutcome, WebhookEndpoint } from './domain/types';

export const DEFAULT_PORT = 4010;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_SEED = 42;

export const DEFAULT_API_KEY = 'mk_test_sandbox_local_key_0123456789';
export const DEFAULT_WEBHOOK_SECRET = 'whsec_sandbox_local_secret_0123456789abcdef';
export const DEFAULT_WEBHOOK_URL = 'http://127.0.0.1:3000/webhooks/moncreneau';
export const DEFAULT_CREDITS = 50;
/** D-keys: default key rate limit 1000 requests/hour. */
export const DEFAULT_QUOTA_PER_HOUR = 1000;
/** Webhook retries after the first attempt (ms): 5 retries, 6 attempts in all. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000];
export const DEFAULT_PAYMENT_DELAY_MS = 3_000;
/**
 * First appointment id the sandbox hands out. Well above the docs examples' 12345
 * (shared/moncreneau/examples.ts), so `npm run webhook:send -- --docs-example` and a real sandbox
 * booking never land on the same appointment (or ledger entry).
 */
export const FIRST_APPOINTMENT_ID = 100_001;

export const DEFAULT_ORGANIZATION: Organization = { id: 1, name: 'Ministry of Interior', credits: DEFAULT_CREDITS };
/** A second organization so 403 ORGANIZATION_MISMATCH / DEPARTMENT_ACCESS_DENIED can be exercised. */
export const OTHER_ORGANIZATION: Organization = { id: 2, name: 'Ministry of Health', credits: DEFAULT_CREDITS };

const WEEKDAY_MORNINGS = {
  monday: [{ start: '08:00', end: '12:00' }],
  tuesday: [{ start: '08:00', end: '12:00' }],
  wednesday: [{ start: '08:00', end: '12:00' }],
  thursday: [{ start: '08:00', end: '12:00' }],
  friday: [{ start: '08:00', end: '12:00' }],
};

export const DEFAULT_DEPARTMENTS: readonly Department[] = [
  {
    id: 5,
    organizationId: 1,
    name: 'Passport Service',
    description: 'Passport applications and renewals',
    slotDuration: 30,
    isActive: true,
    showAdminsInBooking: false,
    openingHours: WEEKDAY_MORNINGS,
    workers: [],
  },
  {
    id: 6,
    organizationId: 1,
    name: 'Identity Card Service',
    description: 'National identity cards — pick an agent when booking',
    slotDuration: 30,
    isActive: true,
    showAdminsInBooking: true,
    openingHours: WEEKDAY_MORNINGS,
    workers: [
      { id: 42, name: 'Mariama Camara' },
      { id: 43, name: 'Ibrahima Sow' },
    ],
  },
  {
    id: 9,
    organizationId: 2,
    name: 'Vaccination Centre',
    description: 'Belongs to another organization',
    slotDuration: 15,
    isActive: true,
    showAdminsInBooking: false,
    openingHours: WEEKDAY_MORNINGS,
    workers: [],
  },
];

export const DEFAULT_KEY: ApiKey = {
  key: DEFAULT_API_KEY,
  name: 'sandbox default key',
  organizationId: 1,
  scopes: ['appointments:read', 'appointments:create', 'credits:purchase'],
  quotaPerHour: DEFAULT_QUOTA_PER_HOUR,
  expiresAt: null,
  revoked: false,
  createdAt: '2026-01-01T00:00:00Z',
};

export function defaultWebhookEndpoint(url: string): WebhookEndpoint {
  return { id: 'wh_sandbox_default', url, secret: DEFAULT_WEBHOOK_SECRET, events: ['*'], active: true };
}

/** SANDBOX_WEBHOOK_URL overrides the default endpoint; an empty string means "no endpoint". */
export function webhookUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env.SANDBOX_WEBHOOK_URL;
  if (value === undefined) return DEFAULT_WEBHOOK_URL;
  return value.trim() === '' ? null : value.trim();
}

/** Behaviours the docs leave UNKNOWN. Each is a knob (startSandbox `assumptions`, PUT /_sandbox/assumptions). */
export interface SandboxAssumptions {
  /** Accept `Authorization: Bearer <key>` in addition to `X-API-Key` (docs disagree). */
  acceptBearer: boolean;
  /** POST /appointments success status (docs' generic table: 201). */
  createStatus: 200 | 201;
  /** DELETE /appointments/{id} success status (generic table: 204, no body; 200 returns the appointment). */
  cancelStatus: 200 | 204;
  /** Status for INVALID_FIELD_VALUE / INVALID_DATE_TIME / INVALID_PHONE_NUMBER / INVALID_EMAIL (docs: 400 or 422). */
  invalidValueStatus: 400 | 422;
  /** X-RateLimit-* headers on every authenticated response, not only on 429. */
  rateLimitHeadersOnSuccess: boolean;
  /** Unit of X-RateLimit-Reset: epoch seconds of the window end, or seconds until it. */
  rateLimitResetUnit: 'epoch-seconds' | 'delta-seconds';
  /** Page size used when `size` is absent. */
  defaultPageSize: number;
  maxPageSize: number;
  /** `size` above the maximum: reject with INVALID_FIELD_VALUE, or clamp silently. */
  oversizedPage: 'reject' | 'clamp';
  /** Longest availability range in days. */
  maxAvailabilityDays: number;
  /** Price of one credit in the purchase flow. */
  pricePerCredit: number;
  currency: string;
  /** What the simulated Orange Money answers after paymentDelayMs. */
  paymentOutcome: PaymentOutcome;
  /** How long a webhook attempt waits for the receiver before counting a timeout. */
  webhookTimeoutMs: number;
  /** Scope each API route requires. */
  routeScopes: {
    readDepartments: string;
    readAppointments: string;
    createAppointment: string;
    cancelAppointment: string;
    updateAppointment: string;
    purchaseCredits: string;
  };
}

export const DEFAULT_ASSUMPTIONS: SandboxAssumptions = {
  acceptBearer: true,
  createStatus: 201,
  cancelStatus: 204,
  invalidValueStatus: 422,
  rateLimitHeadersOnSuccess: true,
  rateLimitResetUnit: 'epoch-seconds',
  defaultPageSize: 20,
  maxPageSize: 100,
  oversizedPage: 'reject',
  maxAvailabilityDays: 31,
  pricePerCredit: 1_000,
  currency: 'GNF',
  paymentOutcome: 'SUCCESSFUL',
  webhookTimeoutMs: 10_000,
  routeScopes: {
    readDepartments: 'appointments:read',
    readAppointments: 'appointments:read',
    createAppointment: 'appointments:create',
    cancelAppointment: 'appointments:create',
    updateAppointment: 'appointments:create',
    purchaseCredits: 'credits:purchase',
  },
};
