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
    this.secret = new Secret(this, 'Secret', {
      secretName: props.secretName,
      description: props.spec.description,
      // `{"current":"<random>","previous":""}`: the same shape the functions parse, so a fresh stack
      // fails closed (every signature is rejected) until the operator sets the real value.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ previous: '' }),
        generateStringKey: 'current',
        passwordLength: 48,
        excludePunctuation: true,
      },
      // Re-creating it would force a dashboard round-trip; in prod losing it breaks webhook intake.
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
