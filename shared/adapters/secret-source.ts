/**
 * Where secrets come from: Secrets Manager in AWS (JSON secret, cached, refreshable on demand for
 * rotation), environment variables locally. Callers only see `get()`.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretFields, SecretSource } from '../webhooks/ports';
import { secretsManagerClient } from './aws-clients';

/** Reads a JSON secret from Secrets Manager and caches it for `ttlMs` (one call per warm instance per TTL). */
export class SecretsManagerSource implements SecretSource {
  private cached?: { fields: SecretFields; at: number };
  private inflight?: Promise<SecretFields>;

  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = secretsManagerClient(),
    private readonly ttlMs = 5 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(options: { forceRefresh?: boolean } = {}): Promise<SecretFields> {
    if (!options.forceRefresh && this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.fields;
    // Concurrent callers share one fetch instead of stampeding Secrets Manager.
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<SecretFields> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (!out.SecretString) throw new Error(`Secret ${this.secretId} has no string value`);
    const fields = parseSecretJson(out.SecretString);
    this.cached = { fields, at: this.now() };
    return fields;
  }
}

/** Local mode: each secret field maps to an environment variable (see wiring.secrets[*].localEnv). */
export class EnvironmentSource implements SecretSource {
  constructor(
    private readonly fieldToEnv: Readonly<Record<string, string>>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async get(): Promise<SecretFields> {
    const fields: Record<string, string> = {};
    for (const [field, name] of Object.entries(this.fieldToEnv)) {
      const value = this.env[name];
      if (value) fields[field] = value;
    }
    return fields;
  }
}

function parseSecretJson(text: string): SecretFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never echo the value: it is a secret.
    throw new Error('Secret value is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('Secret value must be a JSON object');
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string') fields[k] = v;
  return fields;
}

/** Secrets Manager when the ARN variable is set (Lambda), environment variables otherwise (local). */
export function secretSourceFromEnv(arnVariable: string, localEnv: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): SecretSource {
  const arn = env[arnVariable];
  return arn ? new SecretsManagerSource(arn) : new EnvironmentSource(localEnv, env);
}
