/**
 * The Yahoo Streaming Benchmark's fixed world: 100 campaigns of 10 ads each, 100 users and 100
 * pages (UUIDs, as in YSB's generator). The set is the same for every event seed, so one
 * campaigns table (for the enrich node) serves every run. Pure: usable from bench scripts.
 */
import { idPool, Rng, uuidFrom } from './rng.js';

export const YSB_CAMPAIGNS = 100;
export const YSB_ADS_PER_CAMPAIGN = 10;
/** Seed of the fixed id pools (not the event seed). */
export const YSB_WORLD_SEED = 0x59534221;

export const YSB_AD_TYPES = ['banner', 'modal', 'sponsored-search', 'mail', 'mobile'] as const;
export const YSB_EVENT_TYPES = ['view', 'click', 'purchase'] as const;

export interface YsbCampaignRow {
  ad_id: string;
  campaign_id: string;
}

export interface YsbWorld {
  campaigns: YsbCampaignRow[];
  adIds: string[];
  userIds: string[];
  pageIds: string[];
  ipAddresses: string[];
}

let world: YsbWorld | undefined;

/** Built once per process (ids are strings from fixed pools: no per-event formatting). */
export function ysbWorld(): YsbWorld {
  if (world) return world;
  const rng = new Rng(YSB_WORLD_SEED);
  const campaigns: YsbCampaignRow[] = [];
  for (let c = 0; c < YSB_CAMPAIGNS; c++) {
    const campaign_id = uuidFrom(rng);
    for (let a = 0; a < YSB_ADS_PER_CAMPAIGN; a++) campaigns.push({ ad_id: uuidFrom(rng), campaign_id });
  }
  const userIds = Array.from({ length: 100 }, () => uuidFrom(rng));
  const pageIds = Array.from({ length: 100 }, () => uuidFrom(rng));
  const ipAddresses = idPool('10.0.0.', 250, 0, 1);
  world = { campaigns, adIds: campaigns.map((r) => r.ad_id), userIds, pageIds, ipAddresses };
  return world;
}

/**
 * The ad_id -> campaign_id table of the `ad-events` scenario: 1,000 rows
 * `{ ad_id, campaign_id }`, campaign by campaign. `seed` is accepted for symmetry with the
 * generator's config but does not change the table: the campaigns are the same for every event
 * seed, so one table file serves every run.
 */
export function ysbCampaigns(_seed?: number): YsbCampaignRow[] {
  return ysbWorld().campaigns.map((r) => ({ ...r }));
}

/** The same table as JSON lines, ready to write to `campaigns.jsonl`. */
export function ysbCampaignsJsonl(): string {
  return `${ysbWorld()
    .campaigns.map((r) => JSON.stringify(r))
    .join('\n')}\n`;
}
