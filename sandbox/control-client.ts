/** A small HTTP client for a running sandbox's /_sandbox control plane (used by the CLI). */

export class ControlClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ControlClient {
  constructor(private readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/_sandbox${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ControlClientError(0, `cannot reach the sandbox at ${this.baseUrl} (${(err as Error).message}); is it running?`);
    }
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const message = (parsed as { error?: { message?: string } } | null)?.error?.message ?? text;
      throw new ControlClientError(res.status, `${method} ${path} → ${res.status}: ${message}`);
    }
    return parsed;
  }
}
