/**
 * The two ways a node stops a run, each naming the node: it could not start (its operator's
 * create, restore or onStart threw), or it threw while running (a bug or a broken resource,
 * not a bad event, which goes to its error port).
 */

abstract class NodeError extends Error {
  constructor(
    readonly nodeId: string,
    override readonly cause: unknown,
  ) {
    const text = cause instanceof Error ? cause.message : String(cause);
    // A message that already names the node (a config check's, a report read back) keeps its one prefix.
    super(text.startsWith(`${nodeId}: `) ? text : `${nodeId}: ${text}`);
  }
}

/** An operator could not start (a file that cannot be opened, a table that cannot be read). */
export class StartFailure extends NodeError {
  readonly code = 'start-failure';
  override readonly name = 'StartFailure';
}

/** An operator threw (a bug or a broken resource, not a bad event): the run fails naming the node. */
export class NodeFailure extends NodeError {
  readonly code = 'node-failure';
  override readonly name = 'NodeFailure';
}
