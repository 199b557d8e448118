// A Node service on @gatehouse/client: signs in, lists its account's sessions, and listens on
// socket.io until its token is revoked. Run it against a server:
//   GATEHOUSE_URL=http://127.0.0.1:3000 GATEHOUSE_HANDLE=alice GATEHOUSE_PASSWORD=... node node-service.js
// It prints one JSON line per step, and exits 0 once told its token was revoked.
import { connectSocket, createGatehouseClient, whoami } from '@gatehouse/client';

const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<number> {
  const baseUrl = process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:3000';
  const gatehouse = createGatehouseClient({
    baseUrl,
    onSignedOut: () => print({ step: 'signed-out' }),
  });

  const signIn = await gatehouse.signIn({
    handle: process.env.GATEHOUSE_HANDLE ?? '',
    password: process.env.GATEHOUSE_PASSWORD ?? '',
    otp: process.env.GATEHOUSE_OTP,
  });
  switch (signIn.kind) {
    case 'secondFactor':
      print({ step: 'sign-in', result: 'a code is needed: set GATEHOUSE_OTP' });
      return 1;
    case 'unavailable':
      print({ step: 'sign-in', result: `unavailable (${signIn.status}), retry in ${signIn.retryAfter ?? '?'} s` });
      return 1;
    case 'refused':
      print({ step: 'sign-in', result: 'refused', error: signIn.error?.error });
      return 1;
    case 'signedIn':
      print({ step: 'sign-in', result: 'ok' });
  }

  const { data, error } = await gatehouse.sessions();
  if (!data) {
    print({ step: 'sessions', error: error?.error });
    return 1;
  }
  print({ step: 'sessions', total: data.total, current: data.sessions.find((s) => s.current)?.id });

  const socket = connectSocket(baseUrl, { token: signIn.token, transports: ['websocket'] });
  return new Promise<number>((resolve) => {
    socket.on('connect_error', (failure) => {
      print({ step: 'socket', error: failure.message });
      resolve(1);
    });
    socket.on('security', (event) => print({ step: 'security', event: event.event }));
    socket.on('revoked', ({ reason }) => {
      print({ step: 'revoked', reason });
      socket.close();
      resolve(0);
    });
    socket.on('connect', async () => {
      const me = await whoami(socket);
      print({ step: 'listening', handle: me.handle });
    });
  });
}

main().then(
  (code) => (process.exitCode = code),
  (failure: unknown) => {
    print({ step: 'failed', error: (failure as Error).message });
    process.exitCode = 1;
  },
);
