/**
 * Wire types of the MONCRENEAU API (docs/moncreneau-api.md §3) and the client's public option types.
 * Pure: no I/O, no AWS imports. Objects keep unknown fields (index signature) because the docs and
 * the SDKs disagree on several fields; the client must not drop what the server sends.
 */

/** IDs are integers in every docs example but strings in the Node SDK types (docs/moncreneau-api.md §11 #9): accept both. */
export type Id = number | string;

export type AppointmentStatus = 'PENDING_PAYMENT' | 'SCHEDULED' | 'COMPLETED' | 'CANCELLED' | 'NO_SHOW' | (string & {});

export interface Department {
  readonly id: number;
  readonly name: string;
  readonly description?: string;
  readonly slotDuration?: number;
  readonly isActive?: boolean;
  readonly openingHours?: Readonly<Record<string, ReadonlyArray<{ readonly start: string; readonly end: string }>>>;
  readonly organization?: { readonly id: number; readonly name: string };
  readonly [field: string]: unknown;
}

export interface AvailabilitySlot {
  readonly time: string;
  readonly available: boolean;
  readonly dateTime: string;
}

export interface Availability {
  readonly departmentId: number;
  readonly availability: ReadonlyArray<{ readonly date: string; readonly slots: readonly AvailabilitySlot[] }>;
  readonly [field: string]: unknown;
}

export interface AvailabilityQuery {
  /** YYYY-MM-DD */
  readonly startDate: string;
  /** YYYY-MM-DD */
  readonly endDate: string;
}

export interface Appointment {
  readonly id: Id;
  readonly departmentId: number;
  /** Local wall-clock `YYYY-MM-DDTHH:mm:ss`, no offset. */
  readonly dateTime: string;
  readonly status: AppointmentStatus;
  readonly name: string;
  readonly qrCode?: string;
  readonly createdAt?: string;
  readonly externalUserId?: string;
  readonly creditsConsumed?: number;
  readonly [field: string]: unknown;
}

export interface CreateAppointmentRequest {
  readonly departmentId: number;
  readonly dateTime: string;
  readonly name: string;
  /** Required when the department has showAdminsInBooking=true. */
  readonly workerId?: number;
  /** Your own user id. Strongly recommended: it is what makes lookup-before-retry possible. */
  readonly externalUserId?: string;
}

/** Body of the ASSUMED `PATCH /appointments/{id}` (not documented, docs/moncreneau-api.md §3.1). Absolute values only. */
export interface UpdateAppointmentRequest {
  readonly dateTime?: string;
  readonly name?: string;
  readonly workerId?: number;
  readonly [field: string]: unknown;
}

export interface ListAppointmentsFilter {
  readonly status?: AppointmentStatus;
  readonly departmentId?: Id;
  readonly externalUserId?: string;
  readonly startDate?: string;
  readonly endDate?: string;
}

export interface ListAppointmentsPageParams extends ListAppointmentsFilter {
  /** 0-based. */
  readonly page?: number;
  /** ≤ 100. */
  readonly size?: number;
}

/** Spring-style page (N-types `AppointmentPage`). */
export interface AppointmentPage {
  readonly content: readonly Appointment[];
  readonly page?: number;
  readonly size?: number;
  readonly totalElements?: number;
  readonly totalPages?: number;
  readonly last?: boolean;
}

export type CreateOutcome =
  /** The POST answered 2xx. */
  | 'created'
  /** A POST's outcome was unknown (timeout / network / 5xx); the lookup found the appointment it made. */
  | 'recovered'
  /** The server said 409 DUPLICATE_APPOINTMENT (or 409 after an unknown outcome); the lookup found it. */
  | 'duplicate';

export interface CreateResult {
  readonly appointment: Appointment;
  readonly outcome: CreateOutcome;
  /** POST requests actually sent (≥ 1). */
  readonly postAttempts: number;
}

export type CancelOutcome = 'cancelled' | 'already_cancelled';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Lower-cased header names. */
export type ResponseHeaders = Readonly<Record<string, string | undefined>>;

/** Per-call options: the overall budget of one logical call (all attempts, lookups and waits). */
export interface CallOptions {
  /** Absolute epoch ms after which no attempt may still be running. */
  readonly deadline?: number;
  /** E.g. `context.getRemainingTimeInMillis` of the Lambda invocation. */
  readonly remainingTimeMs?: () => number;
  /** Correlation id sent as X-Request-Id (generated when absent). */
  readonly requestId?: string;
}

export type RequestOutcome =
  | 'success'
  | 'client_error'
  | 'auth_error'
  | 'rate_limited'
  | 'server_error'
  | 'network_error'
  | 'timeout'
  | 'unexpected_response';

/** One HTTP attempt, for metrics. `route` is templated (`/appointments/{id}`), so it is low-cardinality. */
export interface RequestObservation {
  readonly method: HttpMethod;
  readonly route: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly attempt: number;
  readonly outcome: RequestOutcome;
  readonly requestId: string;
  readonly errorCode?: string;
}

export interface RetryObservation {
  readonly method: HttpMethod;
  readonly route: string;
  /** The attempt that failed. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly errorCode: string;
  readonly status?: number;
}

/** Anything that yields the key's secret fields; `SecretSource` (shared/adapters) fits structurally. */
export interface KeySource {
  get(options?: { forceRefresh?: boolean }): Promise<Readonly<Record<string, string>>>;
}

/**
 * A gate every HTTP attempt passes first: the global rate limiter (shared/ratelimit) implements it.
 * Defined here so the client does not depend on DynamoDB.
 */
export interface RequestGate {
  /** Resolves when the attempt may be sent; rejects (with the gate's own error) when it cannot be before `deadline`. */
  acquire(request: { readonly method: HttpMethod; readonly route: string; readonly deadline?: number }): Promise<void>;
  /** Feedback from every response (429, X-RateLimit-* headers). Errors thrown here are ignored. */
  onResponse?(response: { readonly status: number; readonly headers: ResponseHeaders; readonly retryAfterMs?: number; readonly receivedAt: number }): void | Promise<void>;
}
