/**
 * A Secrets Manager secret whose real value is pasted in by an operator (e.g. the webhook secret
 * shown in the MONCRENEAU dashboard). CDK only creates it with a random placeholder of the right
 * JSON shape, so no secret value ever lives in code, in the template, or in git.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecretSpec } from '../wiring';

export interface OperatorSecretProps {
  readonly spec: SecretSpec;
  readonly secretName: string;
  readonly retainData: boolean;
}

export class OperatorSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: OperatorSecretProps) {
    super(scope, id);
    const [generated, ...others] = secretFields(props.spec);
    this.secret = new Secret(this, 'Secret', {
      secretName: props.secretName,
      description: props.spec.description,
      // The same JSON shape the functions parse, its first field random (e.g. `{"current":"<random>",
      // "previous":""}`), so a fresh stack fails closed — every signature rejected, every API call 401 —
      // until the operator sets the real value.
      generateSecretString: {
        secretStringTemplate: JSON.stringify(Object.fromEntries(others.map((field) => [field, '']))),
        generateStringKey: generated,
        passwordLength: 48,
        excludePunctuation: true,
      },
      // Re-creating it would force a dashboard round-trip; in prod losing it breaks webhook intake.
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}

/** The secret's JSON fields, in declaration order (the wiring's local stand-ins name them). */
export function secretFields(spec: SecretSpec): string[] {
  return Object.keys(spec.localEnv);
}
