/**
 * The appointments API (behind API Gateway, IAM-signed callers):
 *   POST   /appointments          → create command   (202 + command id)
 *   PATCH  /appointments/{id}     → update command   (202)   [ASSUMED MONCRENEAU endpoint]
 *   DELETE /appointments/{id}     → cancel command   (202)
 *   GET    /appointments/{id}     → MONCRENEAU read, synchronous (rate-limited)
 *   GET    /appointments?…        → MONCRENEAU list page, synchronous
 *   GET    /commands/{id}         → the command's status
 * Writes are only accepted and queued here; the outbound worker executes them. They are accepted
 * even while the kill switch pauses outbound writes (nothing is lost; they run on resume).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, jsonResponse } from '../http/responses';
import type { CallOptions } from '../moncreneau/client/types';
import { acceptCommand, type AcceptDeps, type AcceptOutcome } from './accept';
import { commandView, statusUrl } from './command-view';
import { requestFingerprint } from './fingerprint';
import { idempotencyKey, parseJsonBody } from './http-request';
import type { AppointmentsPort, Ledger, OutboundSwitch } from './ports';
import { readErrorResponse, type HttpError } from './read-errors';
import { defaultExternalUserId, type CommandPayload, type CommandRecord } from './types';
import { isAppointmentId, validateCreate, validateListQuery, validateUpdate, type FieldProblem } from './validation';

export interface ApiHooks {
  onAccepted?(command: CommandRecord, replayed: boolean, paused: boolean): void;
  onRefusedNoCredits?(balance: number): void;
  onReadFailed?(error: unknown, answer: HttpError): void;
}

export interface ApiDeps extends AcceptDeps {
  readonly ledger: Pick<Ledger, 'balance'>;
  readonly outbound: OutboundSwitch;
  readonly appointments: Pick<AppointmentsPort, 'get' | 'listPage'>;
  /** Refuse a create with 402 when the ledger knows the balance is below 1 (stage config). */
  readonly refuseWhenNoCredits: boolean;
  readonly hooks?: ApiHooks;
}

export interface Invocation {
  /** Lambda context's remaining time: synchronous reads must end before API Gateway's 29 s. */
  readonly remainingTimeMs: () => number;
  readonly requestId?: string;
}

type Route = (event: APIGatewayProxyEvent, invocation: Invocation) => Promise<APIGatewayProxyResult>;

export function createAppointmentsApi(deps: ApiDeps): Route {
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
  };
  return async (event, invocation) => {
    const resource = routes[event.resource];
    if (!resource) return errorResponse(404, 'NOT_FOUND', `No route for ${event.path}`);
    const route = resource[event.httpMethod.toUpperCase()];
    if (!route) {
      const allow = Object.keys(resource).join(', ');
      return errorResponse(405, 'METHOD_NOT_ALLOWED', `${event.httpMethod} is not allowed on ${event.resource}; allowed: ${allow}`, undefined, { allow });
    }
    return route(event, invocation);
  };
}

function validationError(problems: readonly FieldProblem[]): APIGatewayProxyResult {
  const fields = problems.map((p) => p.field).join(', ');
  return errorResponse(400, 'VALIDATION_ERROR', `Invalid request: ${fields}`, problems);
}

async function createAppointment(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const body = parseJsonBody(event);
  if (!body.ok) return body.response;
  const key = idempotencyKey(event);
  if (!key.ok) return key.response;
  const valid = validateCreate(body.value);
  if (!valid.ok) return validationError(valid.problems);
  const request = valid.value;

  // An idempotent replay answers with its command even if credits ran out since.
  const replay = key.value === undefined ? undefined : await deps.store.getIdempotencyKey(key.value);
  if (!replay && deps.refuseWhenNoCredits) {
    const balance = await deps.ledger.balance();
    if (balance !== null && balance < 1) {
      deps.hooks?.onRefusedNoCredits?.(balance);
      return errorResponse(402, 'INSUFFICIENT_CREDITS', `Not enough MONCRENEAU credits: the ledger balance is ${balance}; 1 is needed per appointment. Recharge, then retry.`, {
        required: 1,
        available: balance,
      });
    }
  }
  const payload = (commandId: string): CommandPayload => ({
    type: 'create',
    request: { ...request, externalUserId: request.externalUserId ?? defaultExternalUserId(commandId) },
  });
  return accepted(deps, await acceptCommand(deps, { payload, fingerprint: requestFingerprint({ type: 'create', body: request }), idempotencyKey: key.value }));
}

async function updateAppointment(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
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
    await acceptCommand(deps, {
      payload: () => ({ type: 'update', appointmentId, changes }),
      fingerprint: requestFingerprint({ type: 'update', appointmentId, body: changes }),
      idempotencyKey: key.value,
    }),
  );
}

async function cancelAppointment(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const appointmentId = event.pathParameters?.id;
  if (!isAppointmentId(appointmentId)) return appointmentNotFound(appointmentId);
  const key = idempotencyKey(event);
  if (!key.ok) return key.response;
  return accepted(
    deps,
    await acceptCommand(deps, {
      payload: () => ({ type: 'cancel', appointmentId }),
      fingerprint: requestFingerprint({ type: 'cancel', appointmentId }),
      idempotencyKey: key.value,
    }),
  );
}

async function accepted(deps: ApiDeps, outcome: AcceptOutcome): Promise<APIGatewayProxyResult> {
  if (outcome.kind === 'key_reused') {
    return errorResponse(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request; use a new key for a new request', {
      commandId: outcome.commandId,
      statusUrl: statusUrl(outcome.commandId),
    });
  }
  const { command, replayed } = outcome;
  const flag = await deps.outbound.outboundWrites();
  deps.hooks?.onAccepted?.(command, replayed, !flag.enabled);
  const location = statusUrl(command.commandId);
  const body = {
    commandId: command.commandId,
    status: command.status,
    statusUrl: location,
    ...(flag.enabled ? {} : { notice: `Outbound writes are paused${flag.reason ? ` (${flag.reason})` : ''}; the command is kept and runs when they resume` }),
  };
  return jsonResponse(202, body, { location, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
}

async function getCommand(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const id = event.pathParameters?.id;
  const command = id && /^[A-Za-z0-9-]{1,64}$/.test(id) ? await deps.store.get(id) : undefined;
  if (!command) return errorResponse(404, 'COMMAND_NOT_FOUND', `No command ${String(id ?? '').slice(0, 64)}`);
  return jsonResponse(200, commandView(command));
}

function callOptions(inv: Invocation): CallOptions {
  return { remainingTimeMs: inv.remainingTimeMs, ...(inv.requestId ? { requestId: inv.requestId } : {}) };
}

async function getAppointment(deps: ApiDeps, event: APIGatewayProxyEvent, inv: Invocation): Promise<APIGatewayProxyResult> {
  const appointmentId = event.pathParameters?.id;
  if (!isAppointmentId(appointmentId)) return appointmentNotFound(appointmentId);
  try {
    return jsonResponse(200, await deps.appointments.get(appointmentId, callOptions(inv)));
  } catch (error) {
    return readFailed(deps, error);
  }
}

async function listAppointments(deps: ApiDeps, event: APIGatewayProxyEvent, inv: Invocation): Promise<APIGatewayProxyResult> {
  const query = validateListQuery(event.queryStringParameters);
  if (!query.ok) return validationError(query.problems);
  try {
    return jsonResponse(200, await deps.appointments.listPage(query.value, callOptions(inv)));
  } catch (error) {
    return readFailed(deps, error);
  }
}

function readFailed(deps: ApiDeps, error: unknown): APIGatewayProxyResult {
  const answer = readErrorResponse(error);
  deps.hooks?.onReadFailed?.(error, answer);
  const headers: Record<string, string> = answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {};
  return errorResponse(answer.statusCode, answer.code, answer.message, undefined, headers);
}

function appointmentNotFound(id: string | undefined): APIGatewayProxyResult {
  return errorResponse(404, 'APPOINTMENT_NOT_FOUND', `No appointment ${String(id ?? '').slice(0, 32)} (appointment ids are positive integers)`);
}
