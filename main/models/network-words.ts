/**
 * Network failures of a download in words a person can act on.
 *
 * Note [Network failures in plain words]: Node's fetch rejects with "fetch failed" and hides the
 * reason in its cause chain ("getaddrinfo ENOTFOUND huggingface.co", an AggregateError of
 * ECONNREFUSEDs, undici's UND_ERR_* codes). Those texts mean nothing to most people, so the
 * usual failures are recognised by their code and said in the app's own words, naming the host;
 * an unexpected failure keeps its own text, since nothing plainer is known about it.
 */

/** How a connection can fail, as a person would put it. */
type Trouble = 'unreachable' | 'refused' | 'cut-off' | 'timed-out' | 'untrusted';

const TROUBLE_OF_CODE: Readonly<Record<string, Trouble>> = {
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'cut-off',
  EPIPE: 'cut-off',
  UND_ERR_SOCKET: 'cut-off',
  ETIMEDOUT: 'timed-out',
  UND_ERR_CONNECT_TIMEOUT: 'timed-out',
  UND_ERR_HEADERS_TIMEOUT: 'timed-out',
  UND_ERR_BODY_TIMEOUT: 'timed-out',
  CERT_HAS_EXPIRED: 'untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'untrusted',
};

function sentence(trouble: Trouble, host: string): string {
  switch (trouble) {
    case 'unreachable':
      return `Lumen could not reach ${host}.`;
    case 'refused':
      return `Lumen could not reach ${host}: the connection was refused.`;
    case 'cut-off':
      return `The connection to ${host} was cut off.`;
    case 'timed-out':
      return `The connection to ${host} timed out.`;
    case 'untrusted':
      return `Lumen could not verify the secure connection to ${host} (a proxy in the way, or the computer's clock wrong?).`;
  }
}

/** The first known network code in `error`'s cause chain (and in an AggregateError's errors). */
function troubleIn(error: unknown, depth = 0): Trouble | null {
  if (typeof error !== 'object' || error === null || depth > 8) return null;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && Object.hasOwn(TROUBLE_OF_CODE, code)) return TROUBLE_OF_CODE[code]!;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const trouble = troubleIn(inner, depth + 1);
      if (trouble) return trouble;
    }
  }
  return troubleIn(cause, depth + 1);
}

/**
 * What went wrong reaching `host`, in one plain sentence, or null when `error` is not one of the
 * usual network failures (Note [Network failures in plain words]). `stalled`: the download's own
 * idle timer gave up on a connection that stopped sending.
 */
export function plainNetworkFailure(error: unknown, host: string, stalled = false): string | null {
  if (stalled) return `The connection to ${host} stopped sending data.`;
  const trouble = troubleIn(error);
  return trouble ? sentence(trouble, host) : null;
}

/** A server's answer worth another try (408, 429, 5xx), once the tries ran out. */
export function busyServer(status: number, service: string): string {
  if (status === 429) return `${service} is getting too many requests just now (HTTP 429).`;
  if (status === 408) return `${service} took too long to answer (HTTP 408).`;
  return `${service} is not working properly just now (HTTP ${status}).`;
}
