/** Start-up checks that turn the usual local failures into one actionable line. */
import { createServer } from 'node:net';
import { PrerequisiteError } from './emulators';

export function parsePort(raw: string | undefined, fallback: number, variable: string): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PrerequisiteError(`${variable}=${raw} is not a valid port number.`);
  return port;
}

/** Binds and releases the port on 127.0.0.1 (port 0 always passes). */
export function assertPortFree(port: number, variable: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PrerequisiteError(`Port ${port} (${variable}) is already in use on 127.0.0.1: stop the process using it or set ${variable} to another port.`)
          : new PrerequisiteError(`Cannot listen on 127.0.0.1:${port} (${variable}): ${error.code ?? error.message}.`),
      );
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
