/**
 * The ASSUMED Orange Money purchase contract (docs/moncreneau-api.md §7): MONCRENEAU documents no payment
 * endpoint, object or event, so every path, event name, field name and status value the kit relies on is
 * here and nowhere else. When MONCRENEAU publishes the real contract, change this file (and the sandbox).
 * Pure.
 */
export const PAYMENT_CONTRACT = {
  /** POST: start a purchase → 201 with a PENDING payment. */
  startPath: '/credits/purchases',
  /** GET: poll one payment. */
  pollPath: '/credits/purchases/{id}',
  /** Request body field names. */
  request: { credits: 'credits', phone: 'phone' },
  /** Payment object field names (response bodies and `data.object` of the events). */
  fields: { id: 'id', status: 'status', credits: 'credits', amount: 'amount', currency: 'currency', reference: 'reference', createdAt: 'createdAt' },
  /** Wire status → the status the kit records. */
  statuses: { PENDING: 'PENDING', SUCCESSFUL: 'SUCCESSFUL', FAILED: 'FAILED' },
  /** Event type → the status it reports (the event's own `status` field is not needed). */
  events: { 'payment.pending': 'PENDING', 'payment.successful': 'SUCCESSFUL', 'payment.failed': 'FAILED' },
  /** The most credits one purchase may ask for. */
  maxCredits: 10_000,
} as const;

export type ReportedStatus = 'PENDING' | 'SUCCESSFUL' | 'FAILED';

export const PAYMENT_EVENT_TYPES = Object.keys(PAYMENT_CONTRACT.events) as ReadonlyArray<keyof typeof PAYMENT_CONTRACT.events>;

/** A payment as MONCRENEAU reports it (POST answer, poll, or event), in the kit's terms. */
export interface PaymentReport {
  readonly paymentId: string;
  readonly status: ReportedStatus;
  readonly credits: number;
  readonly amount?: number;
  readonly currency?: string;
  readonly reference?: string;
  /** MONCRENEAU's creation time, when it is a readable ISO date. */
  readonly createdAt?: string;
}

export type ReadPayment = { readonly ok: true; readonly report: PaymentReport } | { readonly ok: false; readonly problem: string };

const F = PAYMENT_CONTRACT.fields;

/**
 * A payment object → PaymentReport. `eventType`: the status comes from the event type (a payment.successful
 * is SUCCESSFUL whatever its object says); otherwise from the `status` field.
 */
export function readPayment(object: unknown, eventType?: string): ReadPayment {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return { ok: false, problem: 'the payment is not an object' };
  const o = object as Record<string, unknown>;
  const id = o[F.id];
  if ((typeof id !== 'string' && typeof id !== 'number') || !/^[A-Za-z0-9_.:-]{1,100}$/.test(String(id))) return { ok: false, problem: `no readable payment ${F.id}` };
  const events = PAYMENT_CONTRACT.events as Readonly<Record<string, ReportedStatus>>;
  const statuses = PAYMENT_CONTRACT.statuses as Readonly<Record<string, ReportedStatus>>;
  const status = eventType !== undefined ? events[eventType] : statuses[String(o[F.status])];
  if (!status) return { ok: false, problem: `unknown payment ${eventType !== undefined ? `event ${eventType}` : `${F.status} ${String(o[F.status]).slice(0, 40)}`}` };
  const credits = o[F.credits];
  if (typeof credits !== 'number' || !Number.isSafeInteger(credits) || credits < 0) return { ok: false, problem: `payment ${String(id)} has no whole number of ${F.credits}` };
  const created = typeof o[F.createdAt] === 'string' && !Number.isNaN(Date.parse(o[F.createdAt] as string)) ? new Date(o[F.createdAt] as string).toISOString() : undefined;
  return {
    ok: true,
    report: {
      paymentId: String(id),
      status,
      credits,
      ...(typeof o[F.amount] === 'number' ? { amount: o[F.amount] as number } : {}),
      ...(typeof o[F.currency] === 'string' ? { currency: String(o[F.currency]).slice(0, 10) } : {}),
      ...(typeof o[F.reference] === 'string' ? { reference: String(o[F.reference]).slice(0, 100) } : {}),
      ...(created ? { createdAt: created } : {}),
    },
  };
}

/** The POST body of a purchase. */
export function purchaseBody(credits: number, phone?: string): Record<string, unknown> {
  return { [PAYMENT_CONTRACT.request.credits]: credits, ...(phone ? { [PAYMENT_CONTRACT.request.phone]: phone } : {}) };
}
