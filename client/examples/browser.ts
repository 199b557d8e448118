// A frontend on @gatehouse/client: a sign-in form that lists the account's sessions and returns
// to the form when the token is revoked elsewhere. Bundle it (e.g. `esbuild browser.ts --bundle`)
// into a page of an origin the server lists in CORS_ORIGINS, with this markup:
//   <form id="sign-in"><input id="handle"><input id="password" type="password"><button>Sign in</button></form>
//   <p id="status"></p><ul id="sessions"></ul>
// and tell it the server's URL: <html data-gatehouse="http://127.0.0.1:3000">.
import {
  connectSocket,
  createGatehouseClient,
  type GatehouseSocket,
  sessionStorageTokenStore,
} from '@gatehouse/client';

const baseUrl = document.documentElement.dataset.gatehouse ?? location.origin;
const element = (id: string) => document.getElementById(id) as HTMLInputElement;
const status = (text: string) => (element('status').textContent = text);

// sessionStorage: the token ends with the tab and no other tab reads it.
const gatehouse = createGatehouseClient({
  baseUrl,
  tokens: sessionStorageTokenStore(),
  onSignedOut: () => signedOut('Your session has ended: sign in again.'),
});
let socket: GatehouseSocket | null = null;

function signedOut(message: string): void {
  socket?.close();
  socket = null;
  gatehouse.tokens.clear();
  element('sessions').replaceChildren();
  element('sign-in').hidden = false;
  status(message);
}

async function showSessions(): Promise<void> {
  const { data, response } = await gatehouse.sessions();
  if (response.status === 503) return void status('The service is busy: still signed in, try again shortly.');
  if (!data) return;
  element('sessions').replaceChildren(
    ...data.sessions.map((session) => {
      const item = document.createElement('li');
      item.textContent = `${session.client ?? 'Unknown client'}${session.current ? ' (this one)' : ''}`;
      return item;
    }),
  );
}

element('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = await gatehouse.signIn({ handle: element('handle').value, password: element('password').value });
  element('password').value = '';
  if (result.kind === 'secondFactor')
    return void status('Two-factor sign-in is on: this example does not ask for codes.');
  if (result.kind === 'unavailable') return void status('The service is busy: try again shortly.');
  if (result.kind === 'refused') return void status(`Sign-in refused: ${result.error?.error ?? result.status}`);
  element('sign-in').hidden = true;
  status('Signed in.');
  socket = connectSocket(baseUrl, { token: result.token });
  socket.on('revoked', () => signedOut('This session was ended elsewhere.'));
  await showSessions();
});
