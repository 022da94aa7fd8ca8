/**
 * A pipeline's status in words, the same on every page. The server says `not-deployed` for a
 * pipeline with no run, including one just stopped (a stopped run leaves the server): the
 * canvas follows it, so the canvas and the list never disagree.
 */
export function statusLabel(status: string): string {
  return status === 'not-deployed' ? 'not running' : status;
}
