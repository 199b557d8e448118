// Passkeys on the account page (README, "Passkeys"): adding one, listing and removing them, and
// signing in with one, through the browser's WebAuthn API alone. The server speaks the WebAuthn
// JSON forms (binary fields as base64url); this file turns them into the ArrayBuffers the browser
// wants and back.
//
// It relies on the page's client (account.js, loaded before it): $, call, say, failed, b64, otpOf,
// onSubmit and signedIn, and on two events account.js fires on `document`: `account:refreshed`
// (signed in, or the account changed) and `account:signed-out`.
'use strict';

(() => {
  const supported = typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

  /** base64url (no padding) to an ArrayBuffer. */
  function fromBase64url(text) {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  /** An ArrayBuffer (or view) to base64url without padding. */
  function toBase64url(buffer) {
    const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /** PublicKeyCredentialCreationOptionsJSON to what navigator.credentials.create takes. */
  function creationOptions(json) {
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      user: { ...json.user, id: fromBase64url(json.user.id) },
      excludeCredentials: (json.excludeCredentials ?? []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
    };
  }

  /** PublicKeyCredentialRequestOptionsJSON to what navigator.credentials.get takes. */
  function requestOptions(json) {
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      ...(json.allowCredentials
        ? { allowCredentials: json.allowCredentials.map((c) => ({ ...c, id: fromBase64url(c.id) })) }
        : {}),
    };
  }

  /** The common part of both responses' JSON form. */
  function credentialJSON(credential, response) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
      ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
    };
  }

  /** RegistrationResponseJSON of what navigator.credentials.create gave. */
  function registrationJSON(credential) {
    const response = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
    });
  }

  /** AuthenticationResponseJSON of what navigator.credentials.get gave. */
  function authenticationJSON(credential) {
    const response = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      ...(response.userHandle ? { userHandle: toBase64url(response.userHandle) } : {}),
    });
  }

  /** What the browser said when the person cancelled or no passkey was there. */
  const cancelled = (error) => error && (error.name === 'NotAllowedError' || error.name === 'AbortError');

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : 'never';
  }

  function passkeyRow(passkey) {
    const row = document.createElement('tr');
    for (const text of [passkey.name, when(passkey.createdAt), when(passkey.lastUsedAt)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }

  function passkeyChoice(passkey) {
    const option = document.createElement('option');
    option.value = passkey.id;
    option.textContent = passkey.name;
    return option;
  }

  async function refreshPasskeys() {
    const reply = await call('GET', '/api/auth/passkeys');
    // Off on this server (404), or not allowed for this token yet (403): no passkey section.
    $('passkeys').hidden = !supported || !reply || reply.status !== 200;
    if (!reply || reply.status !== 200) return;
    const passkeys = reply.body.passkeys;
    $('passkey-list').replaceChildren(...passkeys.map(passkeyRow));
    $('passkey-remove-id').replaceChildren(...passkeys.map(passkeyChoice));
    $('passkey-remove').hidden = passkeys.length === 0;
    $('passkeys-none').hidden = passkeys.length > 0;
  }

  onSubmit('passkey-add', async () => {
    const options = await call('POST', '/api/auth/passkeys/options', {
      pwd: b64($('passkey-add-pwd').value),
      ...otpOf('passkey-add-otp'),
    });
    if (!options) return;
    if (options.status !== 200) return failed(options, 'Could not add a passkey');
    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey: creationOptions(options.body.options) });
    } catch (error) {
      return say(cancelled(error) ? 'No passkey was added.' : `Could not add a passkey: ${error.message}`);
    }
    const name = $('passkey-add-name').value.trim();
    const added = await call('POST', '/api/auth/passkeys', {
      credential: registrationJSON(credential),
      ...(name === '' ? {} : { name }),
    });
    if (!added) return;
    if (added.status !== 200) return failed(added, 'Could not add the passkey');
    $('passkey-add-name').value = '';
    say(`Passkey "${added.body.passkey.name}" added: you can sign in with it instead of your password.`);
    await refreshPasskeys();
  });

  onSubmit('passkey-remove', async () => {
    const reply = await call('POST', '/api/auth/passkeys/remove', {
      id: $('passkey-remove-id').value,
      pwd: b64($('passkey-remove-pwd').value),
      ...otpOf('passkey-remove-otp'),
    });
    if (!reply) return;
    if (reply.status !== 200) return failed(reply, 'Could not remove the passkey');
    say('Passkey removed.');
    await refreshPasskeys();
  });

  $('passkey-sign-in').hidden = !supported;
  $('passkey-sign-in').addEventListener('click', async () => {
    const button = $('passkey-sign-in');
    button.disabled = true;
    try {
      const options = await call('POST', '/api/auth/passkey/login/options', {});
      if (!options) return;
      if (options.status !== 200) return failed(options, 'Passkey sign-in is not available');
      let credential;
      try {
        credential = await navigator.credentials.get({ publicKey: requestOptions(options.body.options) });
      } catch (error) {
        return say(cancelled(error) ? 'No passkey was used.' : `Passkey sign-in failed: ${error.message}`);
      }
      const reply = await call('POST', '/api/auth/passkey/login', { credential: authenticationJSON(credential) });
      if (!reply) return;
      if (reply.status !== 200) return failed(reply, 'Passkey sign-in failed');
      say('');
      await signedIn(reply.body.token);
    } finally {
      button.disabled = false;
    }
  });

  document.addEventListener('account:refreshed', refreshPasskeys);
  document.addEventListener('account:signed-out', () => {
    $('passkey-list').replaceChildren();
    $('passkey-remove-id').replaceChildren();
  });
})();
