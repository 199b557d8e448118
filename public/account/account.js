// The account page: a small client of Gatehouse's public API (README, "Account page").
// The token lives in sessionStorage only: it ends with the tab, and no other page reads it.
'use strict';

const KEY = 'gatehouse.token';
const $ = (id) => document.getElementById(id);
let socket = null;

/** Base64 of the UTF-8 bytes, as the Birdhouse dialect wants passwords. */
function b64(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function say(text) {
  $('notice').textContent = text;
}

/**
 * One call to the API. The rule every client of Gatehouse follows: 401 means the token is no
 * longer any good (forget it, sign in again); 503 means the service cannot check it right now
 * (keep it, try again later). Anything else is the call's own answer.
 */
async function call(method, path, body) {
  const token = sessionStorage.getItem(KEY);
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authentication = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    say('The service cannot be reached. Try again in a moment.');
    return null;
  }
  const reply = await response.json().catch(() => ({}));
  if (response.status === 401 && token) {
    // A call still in flight when the page learnt why its token ended (`revoked`) keeps that reason.
    if (sessionStorage.getItem(KEY) === token) signedOut('Your session has ended. Please sign in again.');
    return null;
  }
  if (response.status === 503) {
    say('The service is temporarily unavailable. You are still signed in; try again shortly.');
    return null;
  }
  if (response.status === 429) {
    const wait = response.headers.get('Retry-After');
    say(`Too many attempts. Try again in ${wait ?? 'a few'} seconds.`);
    return null;
  }
  return { status: response.status, body: reply };
}

function failed(reply, what) {
  if (reply.body.secondFactor === 'setup-required') return say(SETUP_REQUIRED);
  say(`${what}: ${reply.body.message ?? reply.body.error ?? `error ${reply.status}`}`);
}

const SETUP_REQUIRED =
  'This server requires two-factor sign-in: set it up below before you use the rest of your account.';

/** `{ otp }` from a code field, or nothing when it is empty (two-factor off). */
function otpOf(id) {
  const input = $(id);
  const otp = input.value.trim();
  input.value = '';
  return otp === '' ? {} : { otp };
}

function signedOut(message) {
  sessionStorage.removeItem(KEY);
  if (socket) socket.disconnect();
  socket = null;
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  $('sessions').replaceChildren();
  $('activity').replaceChildren();
  $('two-factor-enrol').hidden = true;
  $('backup-codes-shown').hidden = true;
  backToSignIn();
  say(message ?? '');
  $('handle').focus();
  document.dispatchEvent(new Event('account:signed-out'));
}

function connectSocket(token) {
  socket = io({ auth: { token } });
  const state = (text) => ($('socket-state').textContent = text);
  socket.on('connect', () => state('connected'));
  socket.on('disconnect', (reason) => {
    state('not connected');
    // Dropped by the server without a `revoked` notice (a shutdown, say): ask whether the token still holds.
    if (reason === 'io server disconnect' && sessionStorage.getItem(KEY)) refresh();
  });
  // The server says why just before it drops a revoked or expired token's sockets.
  socket.on('revoked', ({ reason }) =>
    signedOut(
      reason === 'expired'
        ? 'Your session expired. Please sign in again.'
        : 'This session was ended elsewhere. Please sign in again.',
    ),
  );
  // Each security event of the account, as it happens (the audit log): a sign-in from another
  // device is worth telling at once; everything goes to the top of the recent activity.
  socket.on('security', (event) => {
    if (event.event === 'sign-in.succeeded') {
      say(
        `New sign-in to your account from ${event.client ?? 'an unknown client'} at ${event.address ?? 'an unknown address'}. ` +
          'If it was not you, end that session below and change your password.',
      );
    }
    $('activity').prepend(activityRow(event));
    while ($('activity').rows.length > RECENT_ACTIVITY) $('activity').deleteRow(-1);
    if (event.event === 'sign-in.succeeded' || event.event === 'token.revoked') refreshSessions();
  });
  socket.on('connect_error', (error) => {
    state('not connected');
    if (error.message === 'Unauthorized') signedOut('Your session has ended. Please sign in again.');
    // A restricted token (TWO_FACTOR=required) may not open sockets until two-factor is on.
    if (error.message === 'Forbidden') say(SETUP_REQUIRED);
  });
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

/** Rows of recent activity shown (the newest page of GET /api/auth/activity holds 50). */
const RECENT_ACTIVITY = 20;

const EVENT_LABELS = {
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
};

/** One row of recent activity: an entry of GET /api/auth/activity or a live `security` event. */
function activityRow(entry) {
  const row = document.createElement('tr');
  for (const text of [
    EVENT_LABELS[entry.event] ?? entry.event,
    entry.client ?? '—',
    entry.address ?? '—',
    when(entry.at),
  ]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
  return row;
}

function sessionRow(session) {
  const row = document.createElement('tr');
  for (const text of [
    session.client ?? 'Unknown client',
    session.address ?? '—',
    when(session.createdAt),
    when(session.lastUsedAt),
  ]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
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
    end.addEventListener('click', () => endSession(session.id));
    action.append(end);
  }
  row.append(action);
  return row;
}

async function refreshSessions() {
  const list = await call('GET', '/api/auth/sessions');
  if (list && list.status === 200) $('sessions').replaceChildren(...list.body.sessions.map(sessionRow));
}

async function refresh() {
  const me = await call('GET', '/api/auth/me');
  if (!me) return;
  $('who').textContent = me.body.handle;
  showTwoFactor(me.body.twoFactor === true);
  // For the other parts of the page (passkeys.js), alongside the lists below.
  document.dispatchEvent(new Event('account:refreshed'));
  await refreshSessions();
  const activity = await call('GET', '/api/auth/activity');
  if (activity && activity.status === 200)
    $('activity').replaceChildren(...activity.body.events.slice(0, RECENT_ACTIVITY).map(activityRow));
}

async function signedIn(token) {
  sessionStorage.setItem(KEY, token);
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  connectSocket(token);
  await refresh();
}

async function endSession(id) {
  const reply = await call('POST', '/api/auth/sessions/revoke', { id });
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not end that session');
  say('Session ended.');
  await refresh();
}

/** Runs a form's call, clears its password fields, says how it went. */
function onSubmit(id, run) {
  $(id).addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await run(form);
    } finally {
      button.disabled = false;
      for (const input of form.querySelectorAll('input[type=password]')) input.value = '';
    }
  });
}

/**
 * Signing in takes one request, or two when the account has two-factor on: the first answers
 * 401 with `"secondFactor":"required"`, and the same credentials go again with the code (`otp`).
 * The password waits in memory for that second request only.
 */
let pendingSignIn = null;

function askForCode(credentials) {
  pendingSignIn = credentials;
  $('sign-in').hidden = true;
  $('second-factor').hidden = false;
  $('second-factor-code').focus();
}

function backToSignIn() {
  pendingSignIn = null;
  $('second-factor').hidden = true;
  $('sign-in').hidden = false;
}

async function logIn(credentials, otp) {
  const reply = await call('POST', '/api/auth/login', otp === undefined ? credentials : { ...credentials, otp });
  if (!reply) return;
  if (reply.status === 401 && reply.body.secondFactor === 'required') {
    if (otp === undefined) {
      say('Enter the code from your authenticator app, or one of your backup codes.');
      return askForCode(credentials);
    }
    return say('That code is wrong or already used. Enter the current one.');
  }
  backToSignIn();
  if (reply.status !== 200) return failed(reply, 'Sign-in failed');
  say('');
  await signedIn(reply.body.token);
}

onSubmit('sign-in', async () => {
  await logIn({ handle: $('handle').value, pwd: b64($('password').value) });
});

onSubmit('second-factor', async () => {
  const code = $('second-factor-code');
  if (pendingSignIn) await logIn(pendingSignIn, code.value.trim());
  code.value = '';
});

onSubmit('revoke-others', async () => {
  const reply = await call('POST', '/api/auth/sessions/revoke-others', {
    pwd: b64($('revoke-others-pwd').value),
    ...otpOf('revoke-others-otp'),
  });
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not end the other sessions');
  say(`Ended ${reply.body.revoked} other session(s).`);
  await refresh();
});

onSubmit('change-password', async () => {
  const reply = await call('POST', '/api/auth/password', {
    pwd: b64($('current-pwd').value),
    newPwd: b64($('new-pwd').value),
    ...otpOf('change-password-otp'),
  });
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not change the password');
  say(`Password changed. ${reply.body.revoked} other session(s) ended.`);
  await refresh();
});

onSubmit('delete-account', async () => {
  const reply = await call('POST', '/api/auth/delete', { pwd: b64($('delete-pwd').value), ...otpOf('delete-otp') });
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not delete the account');
  signedOut('Your account has been deleted.');
});

$('sign-out').addEventListener('click', async () => {
  const token = sessionStorage.getItem(KEY);
  // Close the socket first: its `revoked` notice is for sessions ended elsewhere.
  socket?.disconnect();
  const reply = await call('POST', '/api/auth/invalidate', { token });
  if (reply && reply.status === 200) signedOut('You are signed out.');
  else if (sessionStorage.getItem(KEY)) connectSocket(token);
});

/** The two-factor section, and the code fields of the forms that ask for the password, as the account has it. */
function showTwoFactor(on) {
  $('two-factor-state').textContent = on
    ? 'On: signing in asks for a code from your authenticator app (or a backup code).'
    : 'Off: signing in asks for your password only.';
  $('two-factor-setup').hidden = on;
  $('two-factor-new-codes').hidden = !on;
  $('two-factor-disable').hidden = !on;
  if (on) $('two-factor-enrol').hidden = true;
  for (const field of document.querySelectorAll('.otp')) field.hidden = !on;
}

function showBackupCodes(codes) {
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
function drawQrCode(text) {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const scale = 4;
  const quiet = 4;
  const canvas = $('two-factor-qr');
  canvas.width = canvas.height = (count + 2 * quiet) * scale;
  const context = canvas.getContext('2d');
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
  const reply = await call('POST', '/api/auth/2fa/setup', { pwd: b64($('two-factor-setup-pwd').value) });
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not set up two-factor sign-in');
  drawQrCode(reply.body.uri);
  $('two-factor-qr').dataset.uri = reply.body.uri;
  $('two-factor-secret').textContent = reply.body.secret;
  $('two-factor-enrol').hidden = false;
  $('backup-codes-shown').hidden = true;
  say('Add the account to your authenticator app, then enter the code it shows.');
  $('two-factor-enable-code').focus();
});

onSubmit('two-factor-enable', async () => {
  const input = $('two-factor-enable-code');
  const reply = await call('POST', '/api/auth/2fa/enable', { code: input.value.trim() });
  input.value = '';
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not turn on two-factor sign-in');
  say(`Two-factor sign-in is on. ${reply.body.revoked} other session(s) ended.`);
  $('two-factor-secret').textContent = '';
  showBackupCodes(reply.body.backupCodes);
  // The token may open sockets now, if the server requires two-factor sign-in.
  if (socket && !socket.connected) socket.connect();
  await refresh();
});

onSubmit('two-factor-new-codes', async () => {
  const reply = await call('POST', '/api/auth/2fa/backup-codes', {
    pwd: b64($('two-factor-new-codes-pwd').value),
    ...otpOf('two-factor-new-codes-otp'),
  });
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not make new backup codes');
  say('New backup codes: the old ones no longer work.');
  showBackupCodes(reply.body.backupCodes);
});

onSubmit('two-factor-disable', async () => {
  const reply = await call('POST', '/api/auth/2fa/disable', {
    pwd: b64($('two-factor-disable-pwd').value),
    ...otpOf('two-factor-disable-otp'),
  });
  if (!reply) return;
  if (reply.status !== 200) return failed(reply, 'Could not turn off two-factor sign-in');
  say('Two-factor sign-in is off.');
  $('backup-codes-shown').hidden = true;
  await refresh();
});

const saved = sessionStorage.getItem(KEY);
if (saved) signedIn(saved);
else signedOut();
