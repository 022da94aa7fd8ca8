/** Where an event went (fixed-windows.ts, session-windows.ts), and when windows closed for it. */
import { type Event, SOURCE_WATERMARK } from '@sluice/shared';

export const PLACED = 0;
export const LATE = 1;
/** Between two sliding windows (slide > size): in no window. */
export const NO_WINDOW = 2;

/**
 * Up to where windows were emitted when `e` arrived: the watermark `wm`, or the event's own
 * source-watermark stamp when later. Computed where it is compared (inlined), not passed on:
 * a double made from a field and handed to a call is a new heap number per event.
 */
export function closedUpTo(e: Event, wm: number): number {
  const sw = e[SOURCE_WATERMARK];
  return sw !== undefined && sw > wm ? sw : wm;
}
