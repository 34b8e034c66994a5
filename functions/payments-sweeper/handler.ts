/** payments-sweeper λ — every minute (EventBridge rule): payment deadlines and the automatic recharge. Built in shared/composition/payments-sweeper.ts. */
import type { ScheduledEvent } from 'aws-lambda';
import { lambdaHandler } from '../../shared/composition/lambda';
import { composePaymentsSweeper } from '../../shared/composition/payments-sweeper';

export const handler = lambdaHandler<ScheduledEvent, void>(composePaymentsSweeper());
