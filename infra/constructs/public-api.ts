/**
 * The REST API (API Gateway v1) in front of the functions that have a wiring `route`.
 *
 * Why REST v1 and not HTTP API: stage throttling, X-Ray tracing, IAM auth per method and JSON
 * access logs are all built in, and the local runtime emulates the v1 proxy event shape.
 *
 * Why REGIONAL: MONCRENEAU calls from one place; an edge-optimized API would add a CloudFront hop
 * we do not control. API Gateway only serves HTTPS, so "no HTTP in production" holds by design.
 *
 * Resource policy: the public routes (the webhook) are open to every caller — MONCRENEAU publishes no
 * egress addresses and authenticates by HMAC; the IAM routes are limited to the stage's configured
 * accounts and principals (`api.iamCallers`), on top of SigV4.
 *
 * Throttling: the stage-wide limit, and one per route by kind (`api.routeThrottle`), so a flood on the
 * public webhook cannot use up the commands' budget and the commands cannot starve MONCRENEAU's deliveries.
 *
 * Execution logs are deliberately off (access logs are on): they need the account-wide
 * API Gateway CloudWatch role (`AWS::ApiGateway::Account`), a per-region singleton that three stage
 * stacks must not fight over (cdk.json sets `@aws-cdk/aws-apigateway:disableCloudWatchRole`).
 * See docs/deploy.md for how to turn them on once the account role exists.
 */
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  type Method,
  type MethodDeploymentOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { AnyPrincipal, ArnPrincipal, Effect, PolicyDocument, PolicyStatement, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Throttle } from '../config/stages';
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
  /** Every route that will be added (addRoute), for the per-route throttles and the resource policy. */
  readonly routes: readonly RouteSpec[];
  readonly routeThrottle: Readonly<Record<RouteSpec['auth'], Throttle>>;
  readonly iamCallers: { readonly accounts: readonly string[]; readonly principalArns: readonly string[] };
}

/** `execute-api:/<stage>/<method>/<path>` for a resource policy; path parameters become `*`. */
export function executeApiResource(route: RouteSpec): string {
  const path = route.path.replace(/\{[^}]+\}/g, '*').replace(/^\//, '');
  return `execute-api:/*/${route.method === 'ANY' ? '*' : route.method}/${path}`;
}

/** Method settings key (`/path/METHOD`) → the throttle of the route's kind; metrics on, bodies never logged. */
function routeMethodOptions(routes: readonly RouteSpec[], throttles: PublicApiProps['routeThrottle']): Record<string, MethodDeploymentOptions> {
  return Object.fromEntries(
    routes.map((route) => [
      `${route.path}/${route.method === 'ANY' ? '*' : route.method}`,
      {
        throttlingRateLimit: throttles[route.auth].rateLimit,
        throttlingBurstLimit: throttles[route.auth].burstLimit,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
      },
    ]),
  );
}

/** Public routes open to all; IAM routes allowed to the configured callers and denied to everyone else. */
export function resourcePolicy(routes: readonly RouteSpec[], callers: PublicApiProps['iamCallers']): PolicyDocument {
  const statements: PolicyStatement[] = [];
  const open = routes.filter((r) => r.auth === 'none').map(executeApiResource);
  if (open.length) statements.push(new PolicyStatement({ sid: 'PublicRoutes', principals: [new AnyPrincipal()], actions: ['execute-api:Invoke'], resources: open }));
  const signed = routes.filter((r) => r.auth === 'iam').map(executeApiResource);
  if (signed.length) {
    const accounts = callers.accounts.length === 0 && callers.principalArns.length === 0 ? [Aws.ACCOUNT_ID] : [...callers.accounts];
    const principals: IPrincipal[] = [...accounts.map((a) => new ArnPrincipal(`arn:${Aws.PARTITION}:iam::${a}:root`)), ...callers.principalArns.map((arn) => new ArnPrincipal(arn))];
    statements.push(new PolicyStatement({ sid: 'IamRoutesCallers', principals, actions: ['execute-api:Invoke'], resources: signed }));
    // Same-account callers would otherwise pass on their own IAM policy alone: deny whoever is not listed.
    const condition: Record<string, Record<string, string[]>> = {};
    if (accounts.length) condition.StringNotEquals = { 'aws:PrincipalAccount': accounts };
    if (callers.principalArns.length) condition.ArnNotLike = { 'aws:PrincipalArn': [...callers.principalArns] };
    statements.push(new PolicyStatement({ sid: 'IamRoutesOthers', effect: Effect.DENY, principals: [new AnyPrincipal()], actions: ['execute-api:Invoke'], resources: signed, conditions: condition }));
  }
  return new PolicyDocument({ statements });
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

    const policy = resourcePolicy(props.routes, props.iamCallers);
    this.api = new RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: props.description,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      policy,
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
        methodOptions: routeMethodOptions(props.routes, props.routeThrottle),
      },
    });
    // A resource policy takes effect with the next API deployment: make a policy change produce one.
    this.api.latestDeployment?.addToLogicalId({ policy: Stack.of(this).resolve(policy.toJSON()) });
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
