import { configNamespace, setting } from '../config/config-namespace';

/**
 * TWO_FACTOR (`optional`: each account chooses; `required`: a token issued without a second
 * factor is restricted until the account sets one up) and TWO_FACTOR_ISSUER, the name
 * authenticator apps show beside the account (CONTRACT section 18).
 */
export class TwoFactorConfig extends configNamespace('TWO_FACTOR', {
  TWO_FACTOR: setting.choice({ default: 'optional', values: ['optional', 'required'] }),
  TWO_FACTOR_ISSUER: setting.text({
    default: 'Gatehouse',
    pattern: /^[^\p{C}]{1,64}$/u,
    expected: '1 to 64 printable characters',
  }),
}) {}
