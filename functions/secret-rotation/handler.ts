/** secret-rotation λ — invoked by Secrets Manager for each rotation step of the API key and the webhook secret. Built in shared/composition/secret-rotation.ts. */
import { lambdaHandler } from '../../shared/composition/lambda';
import { composeSecretRotation, type RotationRequest } from '../../shared/composition/secret-rotation';

export const handler = lambdaHandler<RotationRequest, void>(composeSecretRotation());
