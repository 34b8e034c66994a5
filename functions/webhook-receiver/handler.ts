/** webhook-receiver λ — API Gateway POST /webhooks/moncreneau: verify the HMAC on the raw body, enqueue, answer in milliseconds. Built in shared/composition/webhook-receiver.ts. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { composeWebhookReceiver } from '../../shared/composition/webhook-receiver';
import { lambdaHandler } from '../../shared/composition/lambda';

export const handler = lambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(composeWebhookReceiver());
