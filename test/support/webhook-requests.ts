/** Builds API Gateway proxy events for the webhook receiver, signed the way MONCRENEAU signs them. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { computeSignature } from '../../shared/moncreneau/signature';

export const TEST_SECRET = 'whsec_test_secret_for_unit_tests_0123456789';
export const PREVIOUS_SECRET = 'whsec_previous_secret_for_rotation_tests_99';

export interface RequestOptions {
  secret?: string;
  /** Header carrying the signature; default the documented one. */
  headerName?: string;
  /** Send bare hex instead of `sha256=<hex>`. */
  bare?: boolean;
  /** Replace the computed signature entirely (tampering, missing). */
  signature?: string | null;
  base64?: boolean;
  method?: string;
  contentType?: string | null;
}

export function webhookRequest(rawBody: string | Buffer, options: RequestOptions = {}): APIGatewayProxyEvent {
  const bytes = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
  const hex = computeSignature(bytes, options.secret ?? TEST_SECRET);
  const signature = options.signature === undefined ? (options.bare ? hex : `sha256=${hex}`) : options.signature;
  const headers: Record<string, string> = {};
  if (options.contentType !== null) headers['Content-Type'] = options.contentType ?? 'application/json';
  if (signature !== null) headers[options.headerName ?? 'X-Moncreneau-Signature'] = signature;
  return {
    httpMethod: options.method ?? 'POST',
    path: '/webhooks/moncreneau',
    resource: '/webhooks/moncreneau',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: options.base64 ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: Boolean(options.base64),
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}
