/**
 * Reading an API Gateway (REST v1 proxy) request: decoded body, JSON content type, JSON parsing.
 * Pure; the answers are the API's error responses.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, header } from '../http/responses';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: APIGatewayProxyResult };

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

function isJsonType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** 415 unless the body is declared JSON (a missing Content-Type is read as JSON, as API Gateway does); 400 if it is not valid JSON. */
export function parseJsonBody(event: APIGatewayProxyEvent): Parsed<unknown> {
  const contentType = header(event.headers, 'content-type');
  if (contentType !== undefined && !isJsonType(contentType)) {
    return { ok: false, response: errorResponse(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got "${contentType.slice(0, 100)}"`) };
  }
  const raw = event.body == null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw.trim() === '') return { ok: false, response: errorResponse(400, 'MALFORMED_JSON', 'The request body is empty; a JSON object is expected') };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, response: errorResponse(400, 'MALFORMED_JSON', 'The request body is not valid JSON') };
  }
}

/** The optional Idempotency-Key header: 1–200 printable ASCII characters. */
export function idempotencyKey(event: APIGatewayProxyEvent): Parsed<string | undefined> {
  const key = header(event.headers, 'idempotency-key');
  if (key === undefined) return { ok: true, value: undefined };
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    return {
      ok: false,
      response: errorResponse(400, 'VALIDATION_ERROR', 'Invalid Idempotency-Key header', [
        { field: 'Idempotency-Key', problem: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces` },
      ]),
    };
  }
  return { ok: true, value: key };
}
