import { BlockList, isIP } from 'node:net';
import { configNamespace, setting } from '../../src/extension';

/** `10.0.0.0/8` or `2001:db8::/32`: an address and a prefix length. */
function whyNotCidr(entry: string): string | null {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const ok = family !== 0 && rest.length === 0 && /^\d{1,3}$/.test(prefix ?? '') && Number(prefix) <= bits;
  return ok ? null : 'CIDR ranges such as 10.0.0.0/8';
}

export class SignInPolicyConfig extends configNamespace('SIGN_IN_POLICY', {
  /** The networks sign-in and step-up are allowed from; empty: every network. */
  SIGN_IN_POLICY_NETWORKS: setting.list({ default: '', check: whyNotCidr }),
}) {}

/** The configured networks as a BlockList, to match a client address against; null: no restriction. */
export function allowedNetworks(config: SignInPolicyConfig): BlockList | null {
  if (config.SIGN_IN_POLICY_NETWORKS.length === 0) return null;
  const list = new BlockList();
  for (const entry of config.SIGN_IN_POLICY_NETWORKS) {
    const [address, prefix] = entry.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
