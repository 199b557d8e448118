import { isIP } from 'node:net';

/**
 * What a per-address limit counts a client address under: an IPv4 address as it is, an IPv6
 * address by its /64 network (`2001:db8:0:1::/64`), since one subscriber usually holds a whole
 * /64 and could otherwise take a fresh address for every request. Anything else (which
 * clientAddress never gives, but `unknown`) is its own group. IPv4-mapped IPv6 addresses arrive
 * already as IPv4 (client-address.ts).
 */
export function addressGroup(address: string): string {
  if (isIP(address) !== 6) {
    const zoned = address.indexOf('%');
    return zoned === -1 || isIP(address.slice(0, zoned)) !== 6 ? address : addressGroup(address.slice(0, zoned));
  }
  return `${firstHextets(address.toLowerCase(), 4).join(':')}::/64`;
}

/** The first `n` groups of a valid IPv6 address, `::` expanded, each without leading zeros. */
function firstHextets(address: string, n: number): string[] {
  const [head, tail] = address.split('::', 2) as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').flatMap(hextets) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].slice(0, n).map((group) => Number.parseInt(group, 16).toString(16));
}

/** A group of the text form: a hextet, or a trailing dotted IPv4 part, which stands for two. */
function hextets(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a, b, c, d] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
