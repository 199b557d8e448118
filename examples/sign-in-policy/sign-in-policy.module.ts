import { GatehouseModule } from '../../src/extension';
import { NetworkPolicyStep } from './network-policy.step';
import { SignInPolicyConfig } from './sign-in-policy.config';

/**
 * A sign-in step added to Gatehouse: sign-in and step-up only from the networks of
 * SIGN_IN_POLICY_NETWORKS (e.g. `10.0.0.0/8,192.168.0.0/16`; unset: from anywhere).
 */
@GatehouseModule({
  config: [SignInPolicyConfig],
  providers: [NetworkPolicyStep],
})
export class SignInPolicyModule {}
