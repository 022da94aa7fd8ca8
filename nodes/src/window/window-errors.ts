/** The window's errors: events it cannot take, and restored state it cannot read. */

/** An event the window cannot take (its `error` port carries it with this message and code). */
export class WindowEventError extends Error {
  constructor(
    message: string,
    readonly code: 'window-bad-value' | 'window-bad-time' | 'window-overflow',
  ) {
    super(message);
  }
}

/** Restored state that this config cannot read (another window type, keyBy or aggregate ops). */
export class WindowStateError extends Error {
  readonly code = 'window-state-mismatch';
}
