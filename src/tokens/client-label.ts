import Bowser from 'bowser';

/** Longest label stored (the tokens.client column). */
export const CLIENT_LABEL_MAX = 64;

/**
 * A short label for the session list made from the User-Agent, such as "Firefox on Linux":
 * the browser, the operating system, or both. Null when there is no usable User-Agent.
 * Only what the parser recognises is kept, never the raw header, so a client cannot put
 * arbitrary text into another person's view beyond a name the parser knows.
 */
export function clientLabel(userAgent: string | string[] | undefined): string | null {
  const value = Array.isArray(userAgent) ? userAgent[0] : userAgent;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 2048) return null;
  let browser: string | undefined;
  let os: string | undefined;
  try {
    const parsed = Bowser.parse(value);
    browser = parsed.browser.name;
    os = parsed.os.name;
  } catch {
    return null;
  }
  const label = browser && os ? `${browser} on ${os}` : (browser ?? os);
  return label ? label.slice(0, CLIENT_LABEL_MAX) : null;
}
