import type { APIGatewayProxyResult } from 'aws-lambda';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** Errors in one shape for every caller: `{ error: { code, message, details? } }` (MONCRENEAU's own envelope). */
export function errorResponse(statusCode: number, code: string, message: string, details?: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return jsonResponse(statusCode, { error: details === undefined ? { code, message } : { code, message, details } }, headers);
}

/** Case-insensitive header lookup: API Gateway REST keeps the caller's casing. */
export function header(headers: Readonly<Record<string, string | undefined>> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
