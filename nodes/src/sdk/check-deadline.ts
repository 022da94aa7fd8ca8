/**
 * The time bound of a connection check (ConnectionCheck in operator.ts): a check that has not
 * settled after CHECK_TIMEOUT_MS rejects with `no answer from <url> within 5 s`, and what it
 * opened is closed then, also a connection that opens only after the deadline.
 */

export const CHECK_TIMEOUT_MS = 5_000;

export interface CheckDeadline {
  /** True once the deadline has passed: the check's answer no longer matters. */
  readonly expired: boolean;
  /** Close `release` when the deadline passes; at once when it already has. */
  onExpire(release: () => unknown): void;
}

export function withinDeadline<T>(url: string, run: (deadline: CheckDeadline) => Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  const releases: (() => unknown)[] = [];
  let expired = false;
  const safely = (release: () => unknown) => {
    try {
      void Promise.resolve(release()).catch(() => undefined);
    } catch {
      // closing what is already gone
    }
  };
  const deadline: CheckDeadline = {
    get expired() {
      return expired;
    },
    onExpire(release) {
      if (expired) safely(release);
      else releases.push(release);
    },
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      for (const release of releases.splice(0)) safely(release);
      reject(new Error(`no answer from ${url} within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([run(deadline), timeout]).finally(() => clearTimeout(timer));
}
