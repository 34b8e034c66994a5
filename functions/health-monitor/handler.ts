/** health-monitor λ — every few minutes (EventBridge rule): publish the credits balance and the stuck webhook events. Built in shared/composition/health-monitor.ts. */
import type { ScheduledEvent } from 'aws-lambda';
import { composeHealthMonitor } from '../../shared/composition/health-monitor';
import { lambdaHandler } from '../../shared/composition/lambda';

export const handler = lambdaHandler<ScheduledEvent, void>(composeHealthMonitor());
