/**
 * Loads the MONCRENEAU sandbox (sandbox/server.ts, owned by another part of the kit) lazily, so
 * the local runtime neither type-depends on it nor fails when it is absent and not requested.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface SandboxHandle {
  /** Base URL of the sandbox server. */
  readonly url: string;
  /** What handlers use as MONCRENEAU_BASE_URL. */
  readonly apiBaseUrl: string;
  /** The part of the sandbox's control plane the runtime uses. */
  readonly control: { getCredits(): number };
  stop(): Promise<void>;
}

export interface SandboxModule {
  startSandbox(options: { port: number; host: string; webhookUrl: string; logger?: (line: string) => void }): Promise<SandboxHandle>;
}

export const SANDBOX_MODULE = path.resolve(__dirname, '..', '..', 'sandbox', 'server.ts');

export function sandboxAvailable(): boolean {
  return existsSync(SANDBOX_MODULE);
}

export async function loadSandbox(): Promise<SandboxModule> {
  if (!sandboxAvailable()) throw new Error(`The MONCRENEAU sandbox is not available (${path.relative(process.cwd(), SANDBOX_MODULE)} is missing).`);
  // A variable specifier keeps tsc from resolving a module that may not exist yet.
  const specifier: string = SANDBOX_MODULE;
  const mod = (await import(specifier)) as Partial<SandboxModule>;
  if (typeof mod.startSandbox !== 'function') throw new Error(`${SANDBOX_MODULE} does not export startSandbox()`);
  return mod as SandboxModule;
}
