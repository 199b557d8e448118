import Bowser from 'bowser';
import { isPrintable } from './printable';

/** Longest label stored (the tokens.client column). */
export const CLIENT_LABEL_MAX = 64;

/** The browser and system names bowser knows; its fallback returns any product name as sent. */
const KNOWN_BROWSERS: ReadonlySet<string> = new Set(Object.values(Bowser.BROWSER_MAP));
const KNOWN_SYSTEMS: ReadonlySet<string> = new Set(Object.values(Bowser.OS_MAP));

const known = (name: string | undefined, names: ReadonlySet<string>) =>
  name !== undefined && names.has(name) ? name : undefined;

/**
 * A short label for the session list made from the User-Agent, such as "Firefox on Linux":
 * the browser, the operating system, or both. Only names in the parser's own lists are kept,
 * never text from the header: for a product it does not know, bowser returns the product name
 * as sent (`Call +1-555-0100 now: your account is hacked/1.0` gave that sentence), which would
 * put a stranger's words into the account owner's session list. Null when nothing is known.
 */
export function clientLabel(userAgent: string | string[] | undefined): string | null {
  const value = Array.isArray(userAgent) ? userAgent[0] : userAgent;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 2048) return null;
  let browser: string | undefined;
  let os: string | undefined;
  try {
    const parsed = Bowser.parse(value);
    browser = known(parsed.browser.name, KNOWN_BROWSERS);
    os = known(parsed.os.name, KNOWN_SYSTEMS);
  } catch {
    return null;
  }
  const label = browser && os ? `${browser} on ${os}` : (browser ?? os);
  return label && label.length <= CLIENT_LABEL_MAX && isPrintable(label) ? label : null;
}
