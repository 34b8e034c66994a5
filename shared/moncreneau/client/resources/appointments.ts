/**
 * Appointments: create (no double booking), get, list (auto-pagination at size 100), cancel, and the
 * ASSUMED update (PATCH /appointments/{id}, not in the docs).
 *
 * No idempotency header exists for POST /appointments (docs/moncreneau-api.md §3.4). A POST that timed out, lost its
 * connection after sending, or got a 5xx may still have created the appointment, so it is never
 * blindly resent: the client waits the backoff delay (a slow server gets time to commit), looks the
 * appointment up (listed by externalUserId + departmentId; adopted only if it is ours — see
 * matchBooking) and only re-POSTs if it is not there. A 409 DUPLICATE_APPOINTMENT (or any 409 after
 * an uncertain attempt) resolves to the existing appointment through the same lookup.
 */
import type { ResolvedOptions, LookupExisting } from '../config';
import type { Budget } from '../deadline';
import { ConflictError, CreateOutcomeUnknownError, MoncreneauError, NotFoundError, UnexpectedResponseError } from '../errors';
import type { RequestExecutor } from '../executor';
import { backoffDelayMs } from '../retry-policy';
import type {
  Appointment,
  AppointmentPage,
  CallOptions,
  CancelOutcome,
  CreateAppointmentRequest,
  CreateResult,
  Id,
  ListAppointmentsFilter,
  ListAppointmentsPageParams,
  UpdateAppointmentRequest,
} from '../types';
import { unexpected } from './departments';

/** Server maximum (docs/moncreneau-api.md §3.5, checklist §7). */
export const PAGE_SIZE = 100;

/** The identity fields a lookup compares; one the server's list did not echo is named, never guessed. */
export type LookupField = 'externalUserId' | 'name';

/** createDetailed's answer; `matchedWithout` names the fields an adopted booking could not be compared on. */
export interface CreateDetailedResult extends CreateResult {
  readonly matchedWithout?: readonly LookupField[];
}

/** A booking the lookup adopted, and the fields the server did not echo (empty for a full match). */
export interface FoundBooking {
  readonly appointment: Appointment;
  readonly without: readonly LookupField[];
}

export class AppointmentsResource {
  constructor(
    private readonly executor: RequestExecutor,
    private readonly options: ResolvedOptions,
    private readonly random: () => number,
    private readonly lookupExisting?: LookupExisting,
  ) {}

  async create(request: CreateAppointmentRequest, call?: CallOptions): Promise<Appointment> {
    return (await this.createDetailed(request, call)).appointment;
  }

  /** Like create, and says how the appointment was obtained (created / recovered / duplicate). */
  async createDetailed(request: CreateAppointmentRequest, call?: CallOptions): Promise<CreateDetailedResult> {
    const budget = this.executor.budgetFor(call);
    const requestId = call?.requestId ?? this.executor.newRequestId();
    const maxPosts = this.options.retry.maxAttempts;
    let posts = 0;
    let uncertain = false; // some earlier POST may have created it
    let previousDelay: number | undefined;

    for (;;) {
      let error: MoncreneauError;
      try {
        const res = await this.executor.execute<Appointment>(
          { method: 'POST', route: '/appointments', body: request, idempotent: false, maxAttempts: maxPosts - posts },
          { requestId },
          budget,
        );
        posts += res.attempts;
        if (isAppointment(res.data)) return { appointment: res.data, outcome: 'created', postAttempts: posts };
        // 2xx means it exists, but we cannot read it: find it rather than re-POST.
        error = unexpected('POST /appointments returned 2xx without an appointment', res.requestId, res.status);
        const found = await this.lookupOrThrow(request, budget, requestId, error, true);
        if (found) return adopted(found, 'recovered', posts);
        throw error;
      } catch (thrown) {
        if (!(thrown instanceof MoncreneauError) || thrown instanceof UnexpectedResponseError || thrown instanceof CreateOutcomeUnknownError) throw thrown;
        error = thrown;
      }
      posts += error.attempts;

      if (error instanceof ConflictError && (error.isDuplicate || uncertain)) {
        const found = await this.lookupOrThrow(request, budget, requestId, error, uncertain);
        if (found) return adopted(found, 'duplicate', posts);
        throw error;
      }
      if (!error.outcomeUnknown) {
        if (!uncertain) throw error;
        // A definitive failure now, but an earlier attempt may have landed after our last lookup.
        const found = await this.lookupOrThrow(request, budget, requestId, error, true);
        if (found) return adopted(found, 'recovered', posts);
        throw error;
      }

      uncertain = true;
      if (!this.canLookup(request)) {
        throw new CreateOutcomeUnknownError({
          code: 'CREATE_OUTCOME_UNKNOWN',
          message: `POST /appointments outcome unknown after ${error.code}; not retried because no externalUserId/lookupExisting allows checking first. Reconcile before retrying.`,
          requestId: error.requestId,
          lastError: error,
        });
      }
      const delay = backoffDelayMs(posts, this.options.retry, this.random, previousDelay);
      previousDelay = delay;
      try {
        await this.executor.waitWithin(delay, budget, error);
      } catch (deadline) {
        throw outcomeUnknown(error, deadline);
      }
      const found = await this.lookupOrThrow(request, budget, requestId, error, true);
      if (found) return adopted(found, 'recovered', posts);
      if (posts >= maxPosts) throw outcomeUnknown(error);
      // Not there (yet): sending again is now the lesser risk; a late first write shows up as 409 → lookup.
    }
  }

  get(id: Id, call?: CallOptions): Promise<Appointment> {
    return this.executor
      .execute<Appointment>({ method: 'GET', route: '/appointments/{id}', params: { id }, idempotent: true }, call)
      .then((res) => {
        if (!isAppointment(res.data)) throw unexpected('GET /appointments/{id} returned no appointment', res.requestId, res.status);
        return res.data;
      });
  }

  /** One page (0-based `page`, `size` ≤ 100). */
  async listPage(params: ListAppointmentsPageParams = {}, call?: CallOptions, budget?: Budget): Promise<AppointmentPage> {
    const size = Math.min(params.size ?? PAGE_SIZE, PAGE_SIZE);
    const res = await this.executor.execute<unknown>(
      {
        method: 'GET',
        route: '/appointments',
        idempotent: true,
        query: {
          page: params.page ?? 0,
          size,
          status: params.status,
          departmentId: params.departmentId,
          externalUserId: params.externalUserId,
          startDate: params.startDate,
          endDate: params.endDate,
        },
      },
      call,
      budget,
    );
    const data = res.data;
    // Tolerate a bare array (undocumented but harmless) as a single page.
    if (Array.isArray(data)) return { content: data as Appointment[], page: params.page ?? 0, size, last: data.length < size };
    if (!data || typeof data !== 'object' || !Array.isArray((data as AppointmentPage).content)) {
      throw unexpected('GET /appointments did not return a page with "content"', res.requestId, res.status);
    }
    return data as AppointmentPage;
  }

  /** Every matching appointment, fetching pages of 100 lazily. */
  async *iterate(filter: ListAppointmentsFilter = {}, call?: CallOptions, budget: Budget = this.executor.budgetFor(call)): AsyncGenerator<Appointment, void, undefined> {
    for (let page = 0; ; page += 1) {
      if (page >= this.options.maxPages) {
        throw new UnexpectedResponseError({ code: 'TOO_MANY_PAGES', message: `GET /appointments still not on its last page after ${page} pages` });
      }
      const result = await this.listPage({ ...filter, page, size: PAGE_SIZE }, call, budget);
      yield* result.content;
      const lastByFlag = result.last === true;
      const lastByCount = result.totalPages !== undefined && page + 1 >= result.totalPages;
      if (lastByFlag || lastByCount || result.content.length < PAGE_SIZE) return;
    }
  }

  async listAll(filter: ListAppointmentsFilter = {}, call?: CallOptions): Promise<Appointment[]> {
    const all: Appointment[] = [];
    for await (const appointment of this.iterate(filter, call)) all.push(appointment);
    return all;
  }

  /**
   * DELETE /appointments/{id} (refunds 1 credit). Retried like any idempotent call; a 404/409 on a
   * retry means an earlier attempt already cancelled it → 'already_cancelled'.
   */
  async cancel(id: Id, call?: CallOptions): Promise<CancelOutcome> {
    try {
      await this.executor.execute<unknown>({ method: 'DELETE', route: '/appointments/{id}', params: { id }, idempotent: true }, call);
      return 'cancelled';
    } catch (error) {
      if ((error instanceof NotFoundError || error instanceof ConflictError) && error.attempts > 1) return 'already_cancelled';
      throw error;
    }
  }

  /** ASSUMED endpoint PATCH /appointments/{id} with absolute values (so retrying is harmless; see retryUpdates). */
  async update(id: Id, patch: UpdateAppointmentRequest, call?: CallOptions): Promise<Appointment> {
    const res = await this.executor.execute<Appointment>(
      { method: 'PATCH', route: '/appointments/{id}', params: { id }, body: patch, idempotent: this.options.retryUpdates },
      call,
    );
    if (!isAppointment(res.data)) throw unexpected('PATCH /appointments/{id} returned no appointment', res.requestId, res.status);
    return res.data;
  }

  private canLookup(request: CreateAppointmentRequest): boolean {
    return Boolean(this.lookupExisting || request.externalUserId);
  }

  /** The lookup; if it fails while a POST may have landed, the outcome stays unknown (never a blind re-POST). */
  private async lookupOrThrow(
    request: CreateAppointmentRequest,
    budget: Budget,
    requestId: string,
    cause: MoncreneauError,
    uncertain: boolean,
  ): Promise<FoundBooking | undefined> {
    if (!this.canLookup(request)) return undefined;
    try {
      if (this.lookupExisting) {
        // A custom hook decides what is ours; its answer is taken as a full match.
        const appointment = await this.lookupExisting(request, { deadline: budget.callerDeadline, requestId });
        return appointment ? { appointment, without: [] } : undefined;
      }
      const day = request.dateTime.slice(0, 10);
      const filter: ListAppointmentsFilter = {
        externalUserId: request.externalUserId,
        departmentId: request.departmentId,
        ...(this.options.lookupByDate ? { startDate: day, endDate: day } : {}),
      };
      return await findBooking(this.iterate(filter, { requestId }, budget), request);
    } catch (lookupError) {
      if (!uncertain && !cause.outcomeUnknown) throw cause;
      throw outcomeUnknown(cause, lookupError);
    }
  }
}

function outcomeUnknown(lastError: MoncreneauError, why?: unknown): CreateOutcomeUnknownError {
  const reason = why instanceof MoncreneauError ? `; lookup/retry stopped by ${why.code}` : '';
  return new CreateOutcomeUnknownError({
    code: 'CREATE_OUTCOME_UNKNOWN',
    message: `POST /appointments outcome unknown after ${lastError.code}${reason}. Reconcile (list by externalUserId / webhook) before retrying.`,
    requestId: lastError.requestId,
    details: why instanceof MoncreneauError ? { stoppedBy: why.code } : undefined,
    lastError,
    cause: why ?? lastError,
  });
}

function adopted(found: FoundBooking, outcome: 'recovered' | 'duplicate', postAttempts: number): CreateDetailedResult {
  return { appointment: found.appointment, outcome, postAttempts, ...(found.without.length > 0 ? { matchedWithout: found.without } : {}) };
}

function isAppointment(value: unknown): value is Appointment {
  return typeof value === 'object' && value !== null && 'id' in value && (value as { id: unknown }).id !== undefined && (value as { id: unknown }).id !== null;
}

export type BookingMatch = { readonly matched: false } | { readonly matched: true; readonly without: readonly LookupField[] };

const normalizedName = (name: string): string => name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
const echoed = (value: unknown): value is string | number => value !== undefined && value !== null && value !== '';

/**
 * Is this listed appointment the booking `request` made? Not cancelled, same department, same slot (minute
 * precision: the server may drop `:00` seconds), and the same person: `externalUserId` equal to ours AND
 * `name` equal to ours (ignoring case and extra spaces). A field the server did not echo cannot be compared:
 * the booking is adopted only if the other one is present and equal, and the missing field is named in
 * `without` (the caller says so). A field present with another value — or both missing — is no match.
 */
export function matchBooking(appointment: Appointment, request: CreateAppointmentRequest): BookingMatch {
  const no = { matched: false } as const;
  if (appointment.status === 'CANCELLED') return no;
  if (!echoed(appointment.departmentId) || String(appointment.departmentId) !== String(request.departmentId)) return no;
  if (String(appointment.dateTime ?? '').slice(0, 16) !== request.dateTime.slice(0, 16)) return no;
  const without: LookupField[] = [];
  const listed = appointment as Appointment & { externalUserId?: unknown; name?: unknown };
  if (!echoed(listed.externalUserId)) without.push('externalUserId');
  else if (String(listed.externalUserId) !== request.externalUserId) return no;
  if (!echoed(listed.name)) without.push('name');
  else if (normalizedName(String(listed.name)) !== normalizedName(request.name)) return no;
  return without.length < 2 ? { matched: true, without } : no;
}

/** matchBooking as a yes/no (a partial match — one identity field not echoed — counts as yes). */
export function sameBooking(appointment: Appointment, request: CreateAppointmentRequest): boolean {
  return matchBooking(appointment, request).matched;
}

/**
 * The booking to adopt among listed appointments: the first full match; else the only partial match. Two
 * partial matches (neither echoing the same field) are ambiguous: none is adopted.
 */
export async function findBooking(listed: AsyncIterable<Appointment> | Iterable<Appointment>, request: CreateAppointmentRequest): Promise<FoundBooking | undefined> {
  const partial: FoundBooking[] = [];
  for await (const appointment of listed) {
    const match = matchBooking(appointment, request);
    if (!match.matched) continue;
    if (match.without.length === 0) return { appointment, without: [] };
    partial.push({ appointment, without: match.without });
  }
  return partial.length === 1 ? partial[0] : undefined;
}
