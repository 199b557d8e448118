import { configNamespace, setting } from '../config/config-namespace';

/** PASSKEYS (`on`, `off`): whether accounts may register passkeys and sign in with them (CONTRACT section 19). */
export class PasskeysSwitch extends configNamespace('PASSKEYS', {
  PASSKEYS: setting.onOff({ default: true }),
}) {}

/** A WebAuthn origin: a scheme and a host (and a port), nothing after it. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * The WebAuthn relying party: its id (the domain passkeys are bound to), the name browsers show,
 * and the origins a response may come from (default `http://localhost:<PORT>`; blank here, filled
 * in from PORT by Passkeys' relying party).
 */
export class PasskeyRelyingParty extends configNamespace('PASSKEY', {
  PASSKEY_RP_ID: setting.text({
    default: 'localhost',
    pattern: /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    expected: 'a lower-case domain name such as example.com',
  }),
  PASSKEY_RP_NAME: setting.text({
    default: 'Gatehouse',
    pattern: /^[^\p{C}]{1,64}$/u,
    expected: '1 to 64 printable characters',
  }),
  PASSKEY_ORIGINS: setting.list({
    default: '',
    check: (entry) => (ORIGIN.test(entry) ? null : 'origins such as https://example.com (scheme, host, port)'),
  }),
}) {}
