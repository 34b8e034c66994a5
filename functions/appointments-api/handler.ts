/** appointments-api λ — IAM-signed callers: accept appointment commands (202), read MONCRENEAU, answer command status. Built in shared/composition/appointments-api.ts. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { composeAppointmentsApi } from '../../shared/composition/appointments-api';
import { lambdaHandler } from '../../shared/composition/lambda';

export const handler = lambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(composeAppointmentsApi());
