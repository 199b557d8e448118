import { createServer } from 'node:net';

/**
 * Fails at once when a port cannot be listened on (taken, not allowed, or HOST not an address
 * of this machine), before the application is built and the database connected: otherwise the
 * reason would come after the migrations and a page of start-up lines. The port is let go again
 * at once; a process taking it in between still fails the real listen, only later.
 */
export async function checkPortFree(name: string, port: number, host: string | null): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new Error(describe(name, port, host, error))));
    probe.listen({ port, host: host ?? undefined, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function describe(name: string, port: number, host: string | null, error: NodeJS.ErrnoException): string {
  const on = host === null ? '' : ` on ${host}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${name} ${port} is already in use${on}`;
    case 'EACCES':
      return `${name} ${port}${on} may not be listened on by this user`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST ${host} is not an address of this machine`;
    default:
      return `cannot listen on ${name} ${port}${on} (${error.code ?? error.message})`;
  }
}
