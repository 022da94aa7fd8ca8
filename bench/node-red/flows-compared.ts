/** The Node-RED flows `pnpm bench` measures Sluice against (bench/node-red/ysb-flow.ts builds them). */
import type { FilterKind } from './ysb-flow.js';

export interface ComparedFlow {
  id: string;
  /** Heading of its section in the results. */
  label: string;
  /** How the ratio line names it. */
  short: string;
  description: string;
  filter: FilterKind;
  /** Events injected per event-loop turn. */
  batch: number;
}

export const NODE_RED_FLOWS: readonly ComparedFlow[] = [
  {
    id: 'coreSwitch',
    label: "Node-RED's fastest flow: core switch node, one event at a time",
    short: 'core-switch flow',
    description:
      'Flow: switch node (views) -> change node (campaign from a table in flow context) -> function node (10 s tumbling count per campaign, watermark) -> function node (sink); one event injected with receive() per event-loop turn (setImmediate), as the switch node takes one message per turn.',
    filter: 'switch',
    batch: 1,
  },
  {
    id: 'functionNodes',
    label: 'Node-RED function-node flow, 100-event injects (the flow earlier runs compared with)',
    short: 'function-node flow',
    description:
      'Flow: function node (views) -> change node (campaign from a table in flow context) -> function node (10 s tumbling count per campaign, watermark) -> function node (sink); events injected with receive() in batches of 100, one setImmediate between batches.',
    filter: 'function',
    batch: 100,
  },
];
