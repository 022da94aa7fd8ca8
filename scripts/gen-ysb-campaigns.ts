/** Writes examples/ysb/campaigns.jsonl: the ad -> campaign table the YSB enrich node joins with. */
import { writeFileSync } from 'node:fs';
import { ysbCampaignsJsonl } from '../nodes/src/source-generator/ysb.js';

writeFileSync(new URL('../examples/ysb/campaigns.jsonl', import.meta.url), ysbCampaignsJsonl());
