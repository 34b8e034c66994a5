/**
 * The appointments API (behind API Gateway, IAM-signed callers):
 *   POST   /appointments          → create command   (202 + command id)
 *   PATCH  /appointments/{id}     → update command   (202)   [ASSUMED MONCRENEAU endpoint]
 *   DELETE /appointments/{id}     → cancel command   (202)
 *   GET    /appointments/{id}     → MONCRENEAU read, synchronous (rate-limited)
 *   GET    /appointments?…        → MONCRENEAU list page, synchronous
 *   GET    /commands/{id}         → the command's status
 *   POST   /credits/purchases     → purchase command (202)   [ASSUMED MONCRENEAU endpoint, docs/payments.md]
 * Writes are only accepted and queued here; the outbound worker executes them. They are accepted
 * even while the kill switch pauses outbound writes (nothing is lost; they run on resume).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, jsonResponse } from '../http/responses';
import type { CallOptions } from '../moncreneau/client/types';
import { acceptCommand, type AcceptDeps, type AcceptOutcome } from './accept';
import { commandView, statusUrl } from './command-view';
import { requestFingerprint } from './fingerprint';
import { idempotencyKey, parseJsonBody, publicBasePath, requiredIdempotencyKey } from './http-request';
import { purchaseRequest, validatePurchase } from './purchase-command';
import type { Ledger } from '../credits/ports';
import type { AppointmentsPort, OutboundSwitch } from './ports';
import { readErrorResponse, type HttpError } from './read-errors';
import { defaultExternalUserId, type CommandPayload, type CommandRecord } from './types';
import { isAppointmentId, validateCreate, validateListQuery, validateUpdate, type FieldProblem } from './validation';

/** What a request did, beyond its HTTP answer; the function's observer logs and counts it. */
export type ApiOutcome =
  | { readonly kind: 'accepted'; readonly command: CommandRecord; readonly replayed: boolean; readonly paused: boolean }
  | { readonly kind: 'refused_no_credits'; readonly balance: number }
  | { readonly kind: 'read_failed'; readonly error: unknown; readonly answer: HttpError }
  /** A retry whose Idempotency-Key outlived its command: 410, nothing created. */
  | { readonly kind: 'key_expired'; readonly commandId: string; readonly expiredAt: string }
  | { readonly kind: 'answered' };

export interface ApiAnswer {
  readonly response: APIGatewayProxyResult;
  readonly outcome: ApiOutcome;
}

export interface ApiDeps extends AcceptDeps {
  readonly ledger: Pick<Ledger, 'balance'>;
  readonly outbound: OutboundSwitch;
  readonly appointments: Pick<AppointmentsPort, 'get' | 'listPage'>;
  /** Refuse a create with 402 when the ledger knows the balance is below 1 (stage config). */
  readonly refuseWhenNoCredits: boolean;
}

export interface Invocation {
  /** Lambda context's remaining time: synchronous reads must end before API Gateway's 29 s. */
  readonly remainingTimeMs: () => number;
  readonly requestId?: string;
}

type Route = (event: APIGatewayProxyEvent, invocation: Invocation) => Promise<APIGatewayProxyResult | ApiAnswer>;

const answered = (response: APIGatewayProxyResult): ApiAnswer => ({ response, outcome: { kind: 'answered' } });

export interface AppointmentsApi {
  (event: APIGatewayProxyEvent, invocation: Invocation): Promise<ApiAnswer>;
  /** Every method and resource path it serves; the wiring must route exactly these to it. */
  readonly routes: ReadonlyArray<{ readonly method: string; readonly path: string }>;
}

export function createAppointmentsApi(deps: ApiDeps): AppointmentsApi {
  const routes: Record<string, Record<string, Route>> = {
    '/appointments': {
      POST: (event) => createAppointment(deps, event),
      GET: (event, inv) => listAppointments(deps, event, inv),
    },
    '/appointments/{id}': {
      GET: (event, inv) => getAppointment(deps, event, inv),
      PATCH: (event) => updateAppointment(deps, event),
      DELETE: (event) => cancelAppointment(deps, event),
    },
    '/commands/{id}': {
      GET: (event) => getCommand(deps, event),
    },
    '/credits/purchases': {
      POST: (event) => createPurchase(deps, event),
    },
  };
  const api = async (event: APIGatewayProxyEvent, invocation: Invocation): Promise<ApiAnswer> => {
    // Own properties only: a resource or method named like an Object.prototype member is no route.
    const resource = Object.hasOwn(routes, event.resource) ? routes[event.resource] : undefined;
    if (!resource) return answered(errorResponse(404, 'NOT_FOUND', `No route for ${String(event.path).slice(0, 200)}`));
    const method = String(event.httpMethod).toUpperCase();
    const route = Object.hasOwn(resource, method) ? resource[method] : undefined;
    if (!route) {
      const allow = Object.keys(resource).join(', ');
      return answered(errorResponse(405, 'METHOD_NOT_ALLOWED', `${event.httpMethod} is not allowed on ${event.resource}; allowed: ${allow}`, undefined, { allow }));
    }
    const result = await route(event, invocation);
    return 'outcome' in result ? result : answered(result);
  };
  const served = Object.entries(routes).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
  return Object.assign(api, { routes: served });
}

function validationError(problems: readonly FieldProblem[]): APIGatewayProxyResult {
  const fields = problems.map((p) => p.field).join(', ');
  return errorResponse(400, 'VALIDATION_ERROR', `Invalid request: ${fields}`, problems);
}

async function createAppointment(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult | ApiAnswer> {
  const body = parseJsonBody(event);
  if (!body.ok) return body.response;
  // Required on create (docs/appointment-commands.md): a retry without it could book twice.
  const key = requiredIdempotencyKey(event);
  if (!key.ok) return key.response;
  const valid = validateCreate(body.value);
  if (!valid.ok) return validationError(valid.problems);
  const request = valid.value;

  // An idempotent replay answers with its command even if credits ran out since.
  const replay = await deps.store.getIdempotencyKey(key.value);
  if (!replay && deps.refuseWhenNoCredits) {
    const balance = await deps.ledger.balance();
    if (balance !== null && balance < 1) {
      const response = errorResponse(402, 'INSUFFICIENT_CREDITS', `Not enough MONCRENEAU credits: the ledger balance is ${balance}; 1 is needed per appointment. Recharge, then retry.`, {
        required: 1,
        available: balance,
      });
      return { response, outcome: { kind: 'refused_no_credits', balance } };
    }
  }
  const payload = (commandId: string): CommandPayload => ({
    type: 'create',
    request: { ...request, externalUserId: request.externalUserId ?? defaultExternalUserId(commandId) },
  });
  return accepted(deps, event, await acceptCommand(deps, { payload, fingerprint: requestFingerprint({ type: 'create', body: request }), idempotencyKey: key.value }));
}

/** A credit purchase spends money: like a create, it requires an Idempotency-Key (a retry must never buy twice). */
async function createPurchase(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult | ApiAnswer> {
  const body = parseJsonBody(event);
  if (!body.ok) return body.response;
  const key = requiredIdempotencyKey(event, { route: 'POST /credits/purchases', risk: 'pay twice', unit: 'purchase' });
  if (!key.ok) return key.response;
  const valid = validatePurchase(body.value);
  if (!valid.ok) return validationError(valid.problems);
  return accepted(deps, event, await acceptCommand(deps, purchaseRequest({ ...valid.value, origin: 'api' }, key.value)));
}

async function updateAppointment(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult | ApiAnswer> {
  const appointmentId = event.pathParameters?.id;
  if (!isAppointmentId(appointmentId)) return appointmentNotFound(appointmentId);
  const body = parseJsonBody(event);
  if (!body.ok) return body.response;
  const key = idempotencyKey(event);
  if (!key.ok) return key.response;
  const valid = validateUpdate(body.value);
  if (!valid.ok) return validationError(valid.problems);
  const changes = valid.value;
  return accepted(
    deps,
    event,
    await acceptCommand(deps, {
      payload: () => ({ type: 'update', appointmentId, changes }),
      fingerprint: requestFingerprint({ type: 'update', appointmentId, body: changes }),
      idempotencyKey: key.value,
    }),
  );
}

async function cancelAppointment(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult | ApiAnswer> {
  const appointmentId = event.pathParameters?.id;
  if (!isAppointmentId(appointmentId)) return appointmentNotFound(appointmentId);
  const key = idempotencyKey(event);
  if (!key.ok) return key.response;
  return accepted(
    deps,
    event,
    await acceptCommand(deps, {
      payload: () => ({ type: 'cancel', appointmentId }),
      fingerprint: requestFingerprint({ type: 'cancel', appointmentId }),
      idempotencyKey: key.value,
    }),
  );
}

async function accepted(deps: ApiDeps, event: APIGatewayProxyEvent, outcome: AcceptOutcome): Promise<APIGatewayProxyResult | ApiAnswer> {
  const basePath = publicBasePath(event);
  if (outcome.kind === 'key_reused') {
    return errorResponse(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request; use a new key for a new request', {
      commandId: outcome.commandId,
      statusUrl: statusUrl(outcome.commandId, basePath),
    });
  }
  if (outcome.kind === 'key_expired') {
    const response = errorResponse(
      410,
      'IDEMPOTENCY_KEY_EXPIRED',
      `This Idempotency-Key was used for command ${outcome.commandId}, whose record expired at ${outcome.expiredAt} (commands are kept ${deps.retentionDays} days); it can no longer be replayed, and no new command is created with it. If you still need this change, first check that the original request did not take effect (for a booking: GET /appointments?externalUserId=…), then send it with a new Idempotency-Key.`,
      { commandId: outcome.commandId, expiredAt: outcome.expiredAt },
    );
    return { response, outcome: { kind: 'key_expired', commandId: outcome.commandId, expiredAt: outcome.expiredAt } };
  }
  const { command, replayed } = outcome;
  const flag = await deps.outbound.outboundWrites();
  const location = statusUrl(command.commandId, basePath);
  const body = {
    commandId: command.commandId,
    status: command.status,
    statusUrl: location,
    ...(flag.enabled ? {} : { notice: `Outbound writes are paused${flag.reason ? ` (${flag.reason})` : ''}; the command is kept and runs when they resume` }),
  };
  const response = jsonResponse(202, body, { location, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
  return { response, outcome: { kind: 'accepted', command, replayed, paused: !flag.enabled } };
}

async function getCommand(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const id = event.pathParameters?.id;
  const command = id && /^[A-Za-z0-9-]{1,64}$/.test(id) ? await deps.store.get(id) : undefined;
  if (!command) return errorResponse(404, 'COMMAND_NOT_FOUND', `No command ${String(id ?? '').slice(0, 64)}`);
  return jsonResponse(200, commandView(command, publicBasePath(event)));
}

function callOptions(inv: Invocation): CallOptions {
  return { remainingTimeMs: inv.remainingTimeMs, ...(inv.requestId ? { requestId: inv.requestId } : {}) };
}

async function getAppointment(deps: ApiDeps, event: APIGatewayProxyEvent, inv: Invocation): Promise<APIGatewayProxyResult | ApiAnswer> {
  const appointmentId = event.pathParameters?.id;
  if (!isAppointmentId(appointmentId)) return appointmentNotFound(appointmentId);
  try {
    return jsonResponse(200, await deps.appointments.get(appointmentId, callOptions(inv)));
  } catch (error) {
    return readFailed(error);
  }
}

async function listAppointments(deps: ApiDeps, event: APIGatewayProxyEvent, inv: Invocation): Promise<APIGatewayProxyResult | ApiAnswer> {
  const query = validateListQuery(event.queryStringParameters);
  if (!query.ok) return validationError(query.problems);
  try {
    return jsonResponse(200, await deps.appointments.listPage(query.value, callOptions(inv)));
  } catch (error) {
    return readFailed(error);
  }
}

function readFailed(error: unknown): ApiAnswer {
  const answer = readErrorResponse(error);
  const headers: Record<string, string> = answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {};
  return { response: errorResponse(answer.statusCode, answer.code, answer.message, undefined, headers), outcome: { kind: 'read_failed', error, answer } };
}

function appointmentNotFound(id: string | undefined): APIGatewayProxyResult {
  return errorResponse(404, 'APPOINTMENT_NOT_FOUND', `No appointment ${String(id ?? '').slice(0, 32)} (appointment ids are positive integers)`);
}
