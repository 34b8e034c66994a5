/**
 * One Lambda function from a wiring `FunctionSpec`: bundled locally with esbuild, its own log group
 * with a retention, and its own role that can write only to that log group. Environment values and
 * data-plane permissions are added by the caller (see function-bindings.ts), because they need the
 * other resources.
 */
import * as path from 'node:path';
import { Duration, Lazy, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../wiring';

/** Repository root (infra/constructs → ../..), so entries resolve whatever the CWD. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface ServiceFunctionProps {
  readonly spec: FunctionSpec;
  readonly functionName: string;
  /** Literal environment shared by every function (commonEnvironment). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly retainLogs: boolean;
}

export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { spec } = props;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // An explicit role instead of the default one: the default attaches the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group, cdk-nag IAM4). This one may only
    // create streams and put events in its own log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: spec.description,
      projectRoot: PROJECT_ROOT,
      entry: path.join(PROJECT_ROOT, 'functions', spec.folder, 'handler.ts'),
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      // Graviton: cheaper per GB-second, and nothing here needs x86 native modules.
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node22',
        format: OutputFormat.CJS,
        // ESM entry points first: esbuild can then drop what a function does not use (the SDK's
        // unused commands and schemas) — a quarter of the bundle, and of the module init time.
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK v3 too: the versions in package-lock.json are what runs, not
        // whatever the Lambda runtime happens to ship that week — and one minified file loads faster
        // than the runtime's SDK resolved file by file from node_modules (bench/lib/bundles.ts).
        externalModules: [],
        // esbuild is a local devDependency, so bundling never falls back to Docker.
        forceDockerBundling: false,
      },
    });

    // CDK makes the function depend on its role and on the role's policy; the role is already implied by
    // the GetAtt on its ARN (cfn-lint W3005). Keep the policy: the first invocation needs its grants.
    (this.fn.node.defaultChild as CfnFunction).addOverride(
      'DependsOn',
      Lazy.list({
        produce: () => {
          const policy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnResource | undefined;
          return policy ? [Stack.of(this).resolve(policy.logicalId) as string] : undefined;
        },
      }),
    );
  }
}
