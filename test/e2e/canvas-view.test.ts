/**
 * Issue 13, defects 5 and 6: what a pipeline looks like when it opens. The minimap draws every
 * node at once.
 */
import { describe, expect, it } from 'vitest';
import { canvasSessionForFile } from './canvas-session.js';

const suite = canvasSessionForFile();

describe('opening a pipeline (Chromium)', () => {
  it('the minimap draws every node of an example as soon as it opens, before any click', async () => {
    const session = suite.get();
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    // iot-maintenance: sensors -> per_device -> rounded -> thresholds -> critical_alerts, warnings.
    await page.goto(`${session.base}/#/p/iot-maintenance`);
    await page.getByTestId('node-warnings').waitFor();
    await expect.poll(() => page.locator('.react-flow__minimap-node').count()).toBe(6);
    await page.close();
  }, 60_000);
});
