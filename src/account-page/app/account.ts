// The account page: a client of Gatehouse's public API built on @gatehouse/client, bundled at
// build time (scripts/build-page.mjs) into public/account/account.js, the one script the page loads.
// The token lives in sessionStorage only: it ends with the tab, and no other page reads it.
import {
  type AddPasskeyResult,
  addPasskey,
  connectSocket,
  createGatehouseClient,
  encodePassword,
  type GatehouseSocket,
  type PasskeySignInResult,
  passkeysSupported,
  type Schemas,
  type SecurityPayload,
  sessionStorageTokenStore,
  signInWithPasskey,
  type SignInResult,
} from '@gatehouse/client';
import qrcode from 'qrcode-generator';

const SIGNED_OUT = 'Your session has ended. Please sign in again.';

const tokens = sessionStorageTokenStore('gatehouse.token');
// The client drops the token on a 401 of a call that carried it, unless the page holds another
// one by then; a call still in flight when the page learnt why its token ended (`revoked`) so
// keeps that reason.
const gatehouse = createGatehouseClient({ baseUrl: location.origin, tokens, onSignedOut: () => signedOut(SIGNED_OUT) });
let socket: GatehouseSocket | null = null;

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function say(text: string): void {
  $('notice').textContent = text;
}

/**
 * One call to the API, with what every client of Gatehouse does about its answer (the client
 * library drops the token on a 401 of a route that reads it, and keeps it on a 503): 401 means
 * the token is no longer any good (sign in again); 503 means the service cannot check it right
 * now (keep it, try again later); 429 means wait. Anything else is the call's own answer.
 */
async function call<T extends { response: Response }>(run: () => Promise<T>): Promise<T | null> {
  const token = tokens.get();
  let reply: T;
  try {
    reply = await run();
  } catch {
    say('The service cannot be reached. Try again in a moment.');
    return null;
  }
  const { status, headers } = reply.response;
  // The client has dropped the token, and signed the page out, if it was still the page's.
  if (status === 401 && token) return null;
  if (status === 503) {
    say('The service is temporarily unavailable. You are still signed in; try again shortly.');
    return null;
  }
  if (status === 429) {
    const wait = headers.get('Retry-After');
    say(`Too many attempts. Try again in ${wait ?? 'a few'} seconds.`);
    return null;
  }
  return reply;
}

type ErrorBody = Partial<Schemas['BirdhouseError']> | undefined;

function failed(reply: { error?: unknown; response: { status: number } }, what: string): void {
  const error = reply.error as ErrorBody;
  if (error?.secondFactor === 'setup-required') return say(SETUP_REQUIRED);
  say(`${what}: ${error?.message ?? error?.error ?? `error ${reply.response.status}`}`);
}

const SETUP_REQUIRED =
  'This server requires two-factor sign-in: set it up below before you use the rest of your account.';

/** `{ otp }` from a code field, or nothing when it is empty (two-factor off). */
function otpOf(id: string): { otp?: string } {
  const input = $<HTMLInputElement>(id);
  const otp = input.value.trim();
  input.value = '';
  return otp === '' ? {} : { otp };
}

const pwdOf = (id: string): string => encodePassword($<HTMLInputElement>(id).value);

function signedOut(message?: string): void {
  tokens.clear();
  if (socket) socket.disconnect();
  socket = null;
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  $('sessions').replaceChildren();
  $('activity').replaceChildren();
  $('passkey-list').replaceChildren();
  $('passkey-remove-id').replaceChildren();
  $('access-token-list').replaceChildren();
  hideNewAccessToken();
  $('two-factor-enrol').hidden = true;
  $('backup-codes-shown').hidden = true;
  backToSignIn();
  say(message ?? '');
  $('handle').focus();
}

function openSocket(token: string): void {
  const opened = connectSocket(undefined, { token });
  socket = opened;
  const state = (text: string) => ($('socket-state').textContent = text);
  opened.on('connect', () => state('connected'));
  opened.on('disconnect', (reason) => {
    state('not connected');
    // Dropped by the server without a `revoked` notice (a shutdown, say): ask whether the token still holds.
    if (reason === 'io server disconnect' && tokens.get()) void refresh();
  });
  // The server says why just before it drops a revoked or expired token's sockets.
  opened.on('revoked', ({ reason }) =>
    signedOut(
      reason === 'expired'
        ? 'Your session expired. Please sign in again.'
        : 'This session was ended elsewhere. Please sign in again.',
    ),
  );
  // Each security event of the account, as it happens (the audit log): a sign-in from another
  // device is worth telling at once; everything goes to the top of the recent activity.
  opened.on('security', (event) => {
    if (event.event === 'sign-in.succeeded') {
      say(
        `New sign-in to your account from ${event.client ?? 'an unknown client'} at ${event.address ?? 'an unknown address'}. ` +
          'If it was not you, end that session below and change your password.',
      );
    }
    const activity = $<HTMLTableSectionElement>('activity');
    activity.prepend(activityRow(event));
    while (activity.rows.length > RECENT_ACTIVITY) activity.deleteRow(-1);
    if (event.event === 'sign-in.succeeded' || event.event === 'token.revoked') void refreshSessions();
  });
  opened.on('connect_error', (error) => {
    state('not connected');
    if (error.message === 'Unauthorized') signedOut(SIGNED_OUT);
    // A restricted token (TWO_FACTOR=required) may not open sockets until two-factor is on.
    if (error.message === 'Forbidden') say(SETUP_REQUIRED);
  });
}

const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '—');

/** Rows of recent activity shown (the newest page of GET /api/auth/activity holds 50). */
const RECENT_ACTIVITY = 20;

const EVENT_LABELS: Record<string, string> = {
  'account.registered': 'Account created',
  'sign-in.succeeded': 'Signed in',
  'sign-in.failed': 'Failed sign-in',
  'sign-in.locked-out': 'Sign-in refused: too many failures',
  'token.revoked': 'Session ended',
  'password.changed': 'Password changed',
  'account.locked': 'Account locked by the server owner',
  'account.unlocked': 'Account unlocked by the server owner',
  'recovery-code.issued': 'Recovery code issued',
  'recovery-code.redeemed': 'Recovery code used',
  'recovery-code.failed': 'Failed recovery',
  'two-factor.enabled': 'Two-factor sign-in turned on',
  'two-factor.disabled': 'Two-factor sign-in turned off',
  'two-factor.reset': 'Two-factor sign-in turned off by the server owner',
  'backup-codes.regenerated': 'New backup codes',
  'backup-code.used': 'Backup code used',
  'passkey.added': 'Passkey added',
  'passkey.removed': 'Passkey removed',
  'access-token.created': 'Access token created',
};

function cells(row: HTMLTableRowElement, texts: string[]): HTMLTableRowElement {
  for (const text of texts) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
  return row;
}

/** One row of recent activity: an entry of GET /api/auth/activity or a live `security` event. */
function activityRow(entry: SecurityPayload): HTMLTableRowElement {
  return cells(document.createElement('tr'), [
    EVENT_LABELS[entry.event] ?? entry.event,
    entry.client ?? '—',
    entry.address ?? '—',
    when(entry.at),
  ]);
}

function sessionRow(session: Schemas['SessionResponse']): HTMLTableRowElement {
  const row = cells(document.createElement('tr'), [
    session.client ?? 'Unknown client',
    session.address ?? '—',
    when(session.createdAt),
    when(session.lastUsedAt),
  ]);
  const action = document.createElement('td');
  if (session.current) {
    action.textContent = 'This session';
  } else {
    const end = document.createElement('button');
    end.type = 'button';
    end.textContent = 'End session';
    end.setAttribute(
      'aria-label',
      `End session of ${session.client ?? 'unknown client'} signed in ${when(session.createdAt)}`,
    );
    end.addEventListener('click', () => void endSession(session.id));
    action.append(end);
  }
  row.append(action);
  return row;
}

async function refreshSessions(): Promise<void> {
  const list = await call(() => gatehouse.sessions());
  if (list?.data) $('sessions').replaceChildren(...list.data.sessions.map(sessionRow));
}

async function refresh(): Promise<void> {
  const me = await call(() => gatehouse.me());
  if (!me) return;
  $('who').textContent = me.data?.handle ?? '';
  showTwoFactor(me.data?.twoFactor === true);
  await refreshSessions();
  const activity = await call(() => gatehouse.activity());
  if (activity?.data) $('activity').replaceChildren(...activity.data.events.slice(0, RECENT_ACTIVITY).map(activityRow));
  await refreshPasskeys();
  await refreshAccessTokens();
}

async function signedIn(token: string): Promise<void> {
  tokens.set(token);
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  openSocket(token);
  await refresh();
}

async function endSession(id: string): Promise<void> {
  const reply = await call(() => gatehouse.revokeSession(id));
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not end that session');
  say('Session ended.');
  await refresh();
}

/** Runs a form's call, clears its password fields, says how it went. */
function onSubmit(id: string, run: () => Promise<void>): void {
  $(id).addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const button = form.querySelector('button')!;
    button.disabled = true;
    try {
      await run();
    } finally {
      button.disabled = false;
      for (const input of form.querySelectorAll<HTMLInputElement>('input[type=password]')) input.value = '';
    }
  });
}

/**
 * Signing in takes one request, or two when the account has two-factor on (the client's
 * `signIn` answers `secondFactor`): the same credentials go again with the code. The password
 * waits in memory, in `withCode`, for that second request only.
 */
let pendingSignIn: ((otp: string) => Promise<SignInResult>) | null = null;

function askForCode(withCode: (otp: string) => Promise<SignInResult>): void {
  pendingSignIn = withCode;
  $('sign-in').hidden = true;
  $('second-factor').hidden = false;
  $('second-factor-code').focus();
}

function backToSignIn(): void {
  pendingSignIn = null;
  $('second-factor').hidden = true;
  $('sign-in').hidden = false;
}

function sayUnavailable({ status, retryAfter }: { status: 503 | 429; retryAfter: number | null }): void {
  say(
    status === 503
      ? 'The service is temporarily unavailable. You are still signed in; try again shortly.'
      : `Too many attempts. Try again in ${retryAfter ?? 'a few'} seconds.`,
  );
}

async function logIn(attempt: () => Promise<SignInResult>): Promise<void> {
  let result: SignInResult;
  try {
    result = await attempt();
  } catch {
    return say('The service cannot be reached. Try again in a moment.');
  }
  switch (result.kind) {
    case 'secondFactor':
      if (result.codeRejected) return say('That code is wrong or already used. Enter the current one.');
      say('Enter the code from your authenticator app, or one of your backup codes.');
      return askForCode(result.withCode);
    case 'unavailable':
      return sayUnavailable(result);
    case 'refused':
      backToSignIn();
      return failed({ error: result.error, response: { status: result.status } }, 'Sign-in failed');
    case 'signedIn':
      backToSignIn();
      say('');
      return signedIn(result.token);
  }
}

onSubmit('sign-in', () =>
  logIn(() =>
    gatehouse.signIn({
      handle: $<HTMLInputElement>('handle').value,
      password: $<HTMLInputElement>('password').value,
    }),
  ),
);

onSubmit('second-factor', async () => {
  const code = $<HTMLInputElement>('second-factor-code');
  const withCode = pendingSignIn;
  if (withCode) await logIn(() => withCode(code.value.trim()));
  code.value = '';
});

onSubmit('revoke-others', async () => {
  const reply = await call(() =>
    gatehouse.revokeOtherSessions({ pwd: pwdOf('revoke-others-pwd'), ...otpOf('revoke-others-otp') }),
  );
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not end the other sessions');
  say(`Ended ${reply.data.revoked} other session(s).`);
  await refresh();
});

onSubmit('change-password', async () => {
  const reply = await call(() =>
    gatehouse.changePassword({
      pwd: pwdOf('current-pwd'),
      newPwd: pwdOf('new-pwd'),
      ...otpOf('change-password-otp'),
    }),
  );
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not change the password');
  say(`Password changed. ${reply.data.revoked} other session(s) ended.`);
  await refresh();
});

onSubmit('delete-account', async () => {
  const reply = await call(() => gatehouse.deleteAccount({ pwd: pwdOf('delete-pwd'), ...otpOf('delete-otp') }));
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not delete the account');
  signedOut('Your account has been deleted.');
});

$('sign-out').addEventListener('click', async () => {
  const token = tokens.get();
  // Close the socket first: its `revoked` notice is for sessions ended elsewhere.
  socket?.disconnect();
  const reply = await call(() => gatehouse.invalidate(token));
  if (reply?.data) signedOut('You are signed out.');
  else if (token && tokens.get()) openSocket(token);
});

/** The two-factor section, and the code fields of the forms that ask for the password, as the account has it. */
function showTwoFactor(on: boolean): void {
  $('two-factor-state').textContent = on
    ? 'On: signing in asks for a code from your authenticator app (or a backup code).'
    : 'Off: signing in asks for your password only.';
  $('two-factor-setup').hidden = on;
  $('two-factor-new-codes').hidden = !on;
  $('two-factor-disable').hidden = !on;
  if (on) $('two-factor-enrol').hidden = true;
  for (const field of document.querySelectorAll<HTMLElement>('.otp')) field.hidden = !on;
}

function showBackupCodes(codes: string[]): void {
  $('backup-codes').replaceChildren(
    ...codes.map((code) => {
      const item = document.createElement('li');
      item.textContent = code;
      return item;
    }),
  );
  $('backup-codes-shown').hidden = false;
}

/** Draws the otpauth:// URI as a QR code (qrcode-generator), on a canvas: no markup, no inline style. */
function drawQrCode(text: string): void {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const scale = 4;
  const quiet = 4;
  const canvas = $<HTMLCanvasElement>('two-factor-qr');
  canvas.width = canvas.height = (count + 2 * quiet) * scale;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000';
  for (let row = 0; row < count; row++) {
    for (let column = 0; column < count; column++) {
      if (code.isDark(row, column)) context.fillRect((column + quiet) * scale, (row + quiet) * scale, scale, scale);
    }
  }
}

onSubmit('two-factor-setup', async () => {
  const reply = await call(() => gatehouse.twoFactor.setup({ pwd: pwdOf('two-factor-setup-pwd') }));
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not set up two-factor sign-in');
  drawQrCode(reply.data.uri);
  $('two-factor-qr').dataset.uri = reply.data.uri;
  $('two-factor-secret').textContent = reply.data.secret;
  $('two-factor-enrol').hidden = false;
  $('backup-codes-shown').hidden = true;
  say('Add the account to your authenticator app, then enter the code it shows.');
  $('two-factor-enable-code').focus();
});

onSubmit('two-factor-enable', async () => {
  const input = $<HTMLInputElement>('two-factor-enable-code');
  const code = input.value.trim();
  input.value = '';
  const reply = await call(() => gatehouse.twoFactor.enable({ code }));
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not turn on two-factor sign-in');
  say(`Two-factor sign-in is on. ${reply.data.revoked} other session(s) ended.`);
  $('two-factor-secret').textContent = '';
  showBackupCodes(reply.data.backupCodes);
  // The token may open sockets now, if the server requires two-factor sign-in.
  if (socket && !socket.connected) socket.connect();
  await refresh();
});

onSubmit('two-factor-new-codes', async () => {
  const reply = await call(() =>
    gatehouse.twoFactor.backupCodes({
      pwd: pwdOf('two-factor-new-codes-pwd'),
      otp: otpOf('two-factor-new-codes-otp').otp ?? '',
    }),
  );
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not make new backup codes');
  say('New backup codes: the old ones no longer work.');
  showBackupCodes(reply.data.backupCodes);
});

onSubmit('two-factor-disable', async () => {
  const reply = await call(() =>
    gatehouse.twoFactor.disable({
      pwd: pwdOf('two-factor-disable-pwd'),
      otp: otpOf('two-factor-disable-otp').otp ?? '',
    }),
  );
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not turn off two-factor sign-in');
  say('Two-factor sign-in is off.');
  $('backup-codes-shown').hidden = true;
  await refresh();
});

// Passkeys (CONTRACT section 19), through the client's ceremonies: the browser's WebAuthn API
// alone, no third-party script.
const passkeysOn = passkeysSupported();

const whenOrNever = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : 'never');

function passkeyRow(passkey: Schemas['PasskeyResponse']): HTMLTableRowElement {
  return cells(document.createElement('tr'), [
    passkey.name,
    whenOrNever(passkey.createdAt),
    whenOrNever(passkey.lastUsedAt),
  ]);
}

function passkeyChoice(passkey: Schemas['PasskeyResponse']): HTMLOptionElement {
  const option = document.createElement('option');
  option.value = passkey.id;
  option.textContent = passkey.name;
  return option;
}

/**
 * The passkey section: hidden where the browser has no WebAuthn or the server has passkeys off
 * (404). A token restricted until two-factor sign-in is set up (TWO_FACTOR=required) may add a
 * passkey, and then sign in with it, but not list them (403 setup-required): it sees the add form only.
 */
async function refreshPasskeys(): Promise<void> {
  if (!passkeysOn) return void ($('passkeys').hidden = true);
  const reply = await call(() => gatehouse.passkeys.list());
  if (!reply) return;
  const restricted = reply.response.status === 403 && (reply.error as ErrorBody)?.secondFactor === 'setup-required';
  $('passkeys').hidden = !reply.data && !restricted;
  $('passkey-listing').hidden = !reply.data;
  const passkeys = reply.data?.passkeys ?? [];
  $('passkey-list').replaceChildren(...passkeys.map(passkeyRow));
  $('passkey-remove-id').replaceChildren(...passkeys.map(passkeyChoice));
  $('passkey-remove').hidden = passkeys.length === 0;
  $('passkeys-none').hidden = passkeys.length > 0;
}

/** Says why a passkey ceremony stopped; `what` starts the sentence for a refusal. */
function passkeyStopped(
  result: Exclude<AddPasskeyResult | PasskeySignInResult, { kind: 'added' | 'signedIn' | 'secondFactor' }>,
  what: string,
  cancelled: string,
  withToken: boolean,
): void {
  switch (result.kind) {
    case 'unsupported':
      return say(`${what}: this browser cannot use passkeys here.`);
    case 'cancelled':
      return say(cancelled);
    case 'browserError':
      return say(`${what}: ${result.message}`);
    case 'notAvailable':
      return say('Passkey sign-in is not available on this server.');
    case 'unavailable':
      // Signing in, there is no session to keep.
      if (result.status === 503 && !withToken) return say('The service is temporarily unavailable. Try again shortly.');
      return sayUnavailable(result);
    case 'refused':
      // A 401 of a call that carried the page's token: the client has signed the page out.
      if (result.status === 401 && withToken) return;
      return failed({ error: result.error, response: { status: result.status } }, what);
  }
}

onSubmit('passkey-add', async () => {
  const nameField = $<HTMLInputElement>('passkey-add-name');
  const name = nameField.value.trim();
  let result: AddPasskeyResult;
  try {
    result = await addPasskey(gatehouse, {
      password: $<HTMLInputElement>('passkey-add-pwd').value,
      ...otpOf('passkey-add-otp'),
      ...(name === '' ? {} : { name }),
    });
  } catch {
    return say('The service cannot be reached. Try again in a moment.');
  }
  switch (result.kind) {
    case 'added':
      nameField.value = '';
      say(`Passkey "${result.passkey.name}" added: you can sign in with it instead of your password.`);
      return refreshPasskeys();
    case 'secondFactor':
      return say(
        result.codeRejected
          ? 'Could not add a passkey: that code is wrong or already used.'
          : 'Could not add a passkey: enter a code from your authenticator app, or a backup code.',
      );
    default:
      return passkeyStopped(result, 'Could not add a passkey', 'No passkey was added.', true);
  }
});

onSubmit('passkey-remove', async () => {
  const reply = await call(() =>
    gatehouse.passkeys.remove({
      id: $<HTMLSelectElement>('passkey-remove-id').value,
      pwd: pwdOf('passkey-remove-pwd'),
      ...otpOf('passkey-remove-otp'),
    }),
  );
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not remove the passkey');
  say('Passkey removed.');
  await refreshPasskeys();
});

$('passkey-sign-in').hidden = !passkeysOn;
$('passkey-sign-in').addEventListener('click', async () => {
  const button = $<HTMLButtonElement>('passkey-sign-in');
  button.disabled = true;
  let result: PasskeySignInResult;
  try {
    result = await signInWithPasskey(gatehouse);
  } catch {
    return say('The service cannot be reached. Try again in a moment.');
  } finally {
    button.disabled = false;
  }
  if (result.kind === 'signedIn') {
    backToSignIn();
    say('');
    return signedIn(result.token);
  }
  // Passkeys off on this server: the button has nothing to offer.
  if (result.kind === 'notAvailable') button.hidden = true;
  passkeyStopped(result, 'Passkey sign-in failed', 'No passkey was used.', false);
});

// Access tokens for programs (CONTRACT section 21). A new token is shown once, in the page only:
// it is never stored, and it goes with the next token, a revocation or signing out.
function hideNewAccessToken(): void {
  $('access-token-value').textContent = '';
  $('access-token-shown').hidden = true;
}

function accessTokenRow(token: Schemas['AccessTokenView']): HTMLTableRowElement {
  const row = cells(document.createElement('tr'), [
    token.name,
    token.scopes.join(' '),
    when(token.createdAt),
    whenOrNever(token.lastUsedAt),
    when(token.expiresAt),
  ]);
  const action = document.createElement('td');
  const revoke = document.createElement('button');
  revoke.type = 'button';
  revoke.className = 'danger';
  revoke.textContent = 'Revoke';
  revoke.setAttribute('aria-label', `Revoke access token ${token.name}`);
  revoke.addEventListener('click', () => void revokeAccessToken(token.id));
  action.append(revoke);
  row.append(action);
  return row;
}

/** The access-token section, unless the token may not read them (restricted, or not a sign-in's). */
async function refreshAccessTokens(): Promise<void> {
  const reply = await call(() => gatehouse.accessTokens.list());
  if (!reply) return;
  $('access-tokens').hidden = !reply.data;
  const list = reply.data?.tokens ?? [];
  $('access-token-list').replaceChildren(...list.map(accessTokenRow));
  $('access-token-table').hidden = list.length === 0;
  $('access-tokens-none').hidden = list.length > 0;
}

async function revokeAccessToken(id: string): Promise<void> {
  const reply = await call(() => gatehouse.accessTokens.revoke(id));
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not revoke the access token');
  hideNewAccessToken();
  say('Access token revoked.');
  await refreshAccessTokens();
}

onSubmit('access-token-create', async () => {
  const form = $<HTMLFormElement>('access-token-create');
  const scopes = Array.from(form.querySelectorAll<HTMLInputElement>('input[name=scope]:checked'), (box) => box.value);
  if (scopes.length === 0) return say('Choose at least one scope for the access token.');
  const name = $<HTMLInputElement>('access-token-name').value.trim();
  const expiresIn = $<HTMLSelectElement>('access-token-expires').value;
  const reply = await call(() =>
    gatehouse.accessTokens.create({
      name,
      scopes,
      ...(expiresIn === '' ? {} : { expiresIn }),
      pwd: pwdOf('access-token-pwd'),
      ...otpOf('access-token-otp'),
    }),
  );
  if (!reply) return;
  if (!reply.data) return failed(reply, 'Could not create the access token');
  $('access-token-value').textContent = reply.data.token;
  $('access-token-shown').hidden = false;
  form.reset();
  say(`Access token "${name}" created. Copy it now: it is shown only this once.`);
  await refreshAccessTokens();
});

const saved = tokens.get();
if (saved) void signedIn(saved);
else signedOut();
