/**
 * `npm start` records where its emulators and resources are in .local/runtime.json, so operator
 * commands (send a test event, redrive the DLQ, inspect events) can target the running local stack
 * the same way they target a deployed stage.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalResources } from './provision';

export const RUNTIME_FILE = path.resolve(__dirname, '..', '..', '.local', 'runtime.json');
export const LOCAL_METRICS_FILE = path.resolve(__dirname, '..', '..', '.local', 'metrics.jsonl');

export interface LocalRuntimeInfo {
  readonly pid: number;
  readonly apiUrl: string;
  readonly webhookUrl?: string;
  readonly sandboxUrl?: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly resources: LocalResources;
  /** The local metrics (EMF) file `npm run alarms` evaluates. */
  readonly metricsFile?: string;
}

export function writeRuntimeInfo(info: LocalRuntimeInfo, file = RUNTIME_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);
}

export function readRuntimeInfo(file = RUNTIME_FILE): LocalRuntimeInfo | undefined {
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as LocalRuntimeInfo;
  // A file left by a stack that is no longer running would point at dead ports.
  try {
    process.kill(info.pid, 0);
  } catch {
    return undefined;
  }
  return info;
}

export function removeRuntimeInfo(file = RUNTIME_FILE): void {
  rmSync(file, { force: true });
}
