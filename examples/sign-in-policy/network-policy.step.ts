import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { DomainError, type SignInAttempt, SignInStep, type StepVerdict } from '../../src/extension';
import { allowedNetworks, SignInPolicyConfig } from './sign-in-policy.config';

/**
 * Refuses sign-in, and the calls that ask for the password again, from a client address
 * outside SIGN_IN_POLICY_NETWORKS: 403 in the route's dialect with `"policy":"network"`. The
 * password was right, so the refusal is not counted as a failed sign-in.
 */
@Injectable()
@SignInStep({ order: 100 })
export class NetworkPolicyStep implements SignInStep {
  private readonly networks: ReturnType<typeof allowedNetworks>;

  constructor(config: SignInPolicyConfig) {
    this.networks = allowedNetworks(config);
  }

  async check(attempt: SignInAttempt): Promise<StepVerdict> {
    if (this.networks === null) return { ok: true };
    const family = isIP(attempt.address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(attempt.address) !== 0 && this.networks.check(attempt.address, family)) return { ok: true };
    return {
      ok: false,
      error: new DomainError('forbidden', 'signing in is not allowed from this network', {
        fields: { policy: 'network' },
      }),
      countsAsFailure: false,
    };
  }
}
