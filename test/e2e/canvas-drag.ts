/** Canvas gestures the browser tests share. */
import type { Page } from 'playwright-core';

/** Connect two nodes by dragging from the first's output handle to the second's input handle. */
export async function connect(page: Page, from: string, to: string): Promise<void> {
  const a = page.locator(`[data-testid="node-${from}"] .react-flow__handle.source`).first();
  const b = page.locator(`[data-testid="node-${to}"] .react-flow__handle.target`).first();
  const pa = (await a.boundingBox())!;
  const pb = (await b.boundingBox())!;
  await page.mouse.move(pa.x + pa.width / 2, pa.y + pa.height / 2);
  await page.mouse.down();
  await page.mouse.move(pb.x + pb.width / 2, pb.y + pb.height / 2, { steps: 10 });
  await page.mouse.up();
}
