/**
 * Where secrets come from: Secrets Manager in AWS (JSON secret, cached, refreshable on demand for
 * rotation), environment variables locally. Callers only see `get()`. A secret that cannot be read or
 * parsed is reported (`onProblem`: a log line and a metric an alarm watches); after a transient read
 * failure the last good value keeps serving for a bounded time, so a Secrets Manager blip does not stop
 * webhooks or calls out, while a lasting one still surfaces.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretFields, SecretProblem, SecretProblemKind, SecretSource } from '../webhooks/ports';
import { secretsManagerClient } from './secrets-manager-client';

export interface SecretsManagerSourceOptions {
  readonly client?: SecretsManagerClient;
  /** How long a read value is reused (one call per warm instance per TTL). Default 5 minutes. */
  readonly ttlMs?: number;
  /** How long the last good value may serve past its TTL while reads fail. Default 1 hour. */
  readonly maxStaleMs?: number;
  readonly now?: () => number;
  readonly onProblem?: (problem: SecretProblem) => void;
}

class SecretValueError extends Error {
  constructor(readonly kind: Exclude<SecretProblemKind, 'fetch_failed' | 'missing_field'>, message: string) {
    super(message);
    this.name = 'SecretValueError';
  }
}

export class SecretsManagerSource implements SecretSource {
  private cached?: { fields: SecretFields; at: number };
  private inflight?: Promise<SecretFields>;
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;

  constructor(
    private readonly secretId: string,
    private readonly options: SecretsManagerSourceOptions = {},
  ) {
    this.client = options.client ?? secretsManagerClient();
    this.ttlMs = options.ttlMs ?? 5 * 60 * 1000;
    this.maxStaleMs = options.maxStaleMs ?? 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  async get(options: { forceRefresh?: boolean } = {}): Promise<SecretFields> {
    if (!options.forceRefresh && this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.fields;
    // Concurrent callers share one fetch instead of stampeding Secrets Manager.
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<SecretFields> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      if (!out.SecretString) throw new SecretValueError('no_string_value', 'Secret has no string value');
      const fields = parseSecretJson(out.SecretString);
      this.cached = { fields, at: this.now() };
      return fields;
    } catch (error) {
      const kind: SecretProblemKind = error instanceof SecretValueError ? error.kind : 'fetch_failed';
      const secret = this.secretId.split(':').pop() ?? 'secret';
      // A malformed value is not transient: serving an old one would hide a broken rotation.
      const stale = kind === 'fetch_failed' && this.cached ? this.cached.at + this.ttlMs + this.maxStaleMs - this.now() : 0;
      this.safely(() => this.options.onProblem?.({ secret, kind, error, ...(stale > 0 ? { servingLastGoodForMs: stale } : {}) }));
      if (stale > 0 && this.cached) return this.cached.fields;
      throw error;
    }
  }

  private safely(report: () => void): void {
    try {
      report();
    } catch {
      // Observation never breaks the read.
    }
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
    throw new SecretValueError('not_json', 'Secret value is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SecretValueError('not_an_object', 'Secret value must be a JSON object');
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string') fields[k] = v;
  return fields;
}

/** Secrets Manager when the ARN variable is set (Lambda), environment variables otherwise (local). */
export function secretSourceFromEnv(
  arnVariable: string,
  localEnv: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
  options: Pick<SecretsManagerSourceOptions, 'onProblem'> = {},
): SecretSource {
  const arn = env[arnVariable];
  return arn ? new SecretsManagerSource(arn, options) : new EnvironmentSource(localEnv, env);
}
