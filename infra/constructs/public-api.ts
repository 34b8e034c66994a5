/**
 * The REST API (API Gateway v1) in front of the functions that have a wiring `route`.
 *
 * Why REST v1 and not HTTP API: stage throttling, X-Ray tracing, IAM auth per method and JSON
 * access logs are all built in, and the local runtime emulates the v1 proxy event shape.
 *
 * Why REGIONAL: MONCRENEAU calls from one place; an edge-optimized API would add a CloudFront hop
 * we do not control. API Gateway only serves HTTPS, so "no HTTP in production" holds by design.
 *
 * No resource policy: the webhook route must be reachable from MONCRENEAU's (unpublished) egress
 * addresses and authenticates by HMAC; IAM routes authenticate by SigV4. A policy can be added here
 * once MONCRENEAU publishes source IP ranges.
 *
 * Execution logs are deliberately off (access logs are on): they need the account-wide
 * API Gateway CloudWatch role (`AWS::ApiGateway::Account`), a per-region singleton that three stage
 * stacks must not fight over (cdk.json sets `@aws-cdk/aws-apigateway:disableCloudWatchRole`).
 * See docs/deploy.md for how to turn them on once the account role exists.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  type Method,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteSpec } from '../wiring';

export type { RouteSpec };

export interface PublicApiProps {
  readonly restApiName: string;
  readonly description: string;
  /** API Gateway stage name; we use the deployment stage (dev, staging, prod). */
  readonly stageName: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly logRetention: RetentionDays;
  readonly retainLogs: boolean;
}

export class PublicApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: props.description,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // The account-level CloudWatch role is not ours to own (see the file comment).
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        metricsEnabled: true,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.OFF,
        // Never log request/response bodies: webhook payloads carry personal data and signatures.
        dataTraceEnabled: false,
      },
    });
  }

  /** Proxies `route` to `fn`. `auth: 'none'` is only for callers that authenticate in the body (HMAC). */
  addRoute(route: RouteSpec, fn: IFunction): Method {
    const resource = this.api.root.resourceForPath(route.path);
    return resource.addMethod(
      route.method,
      // Proxy integration: the function receives the raw body (needed for HMAC) and shapes the reply.
      // No test-invoke permission: console test calls would bypass the stage throttling and logs.
      new LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }),
      { authorizationType: route.auth === 'iam' ? AuthorizationType.IAM : AuthorizationType.NONE },
    );
  }
}
