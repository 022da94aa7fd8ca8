/**
 * The generator's scenarios. Each builds one event per call from the event RNG, its sequence
 * number and its time. Catalogues (SKUs, cards, devices, campaigns) are fixed pools built once
 * from their own constant seed, so reference data is the same for every event seed; the seed
 * decides which ids, amounts and values each event gets. Events are object literals of one
 * shape per scenario (with the time stamps in the literal) and every string comes from a pool:
 * generation runs at millions of events per second.
 */
import { EVENT_TIME, INGEST_TIME } from '@sluice/shared';
import { idPool, Rng } from './rng.js';
import { YSB_AD_TYPES, YSB_EVENT_TYPES, ysbWorld } from './ysb.js';

export type Stamped = Record<string | symbol, unknown>;
/**
 * Builds event number `seq` (0-based) at event time `t`, ingested at `now`. `draws`: how many
 * numbers each event takes from the RNG when that is fixed, so a split generator can jump over
 * other partitions' events in one step (otherwise it builds and drops them).
 */
export type MakeEvent = ((rng: Rng, seq: number, t: number, now: number) => Stamped) & { draws?: number };

function fixedDraws(make: MakeEvent, draws: number): MakeEvent {
  make.draws = draws;
  return make;
}

const cents = (x: number) => Math.round(x * 100) / 100;

function orders(): MakeEvent {
  const pool = new Rng(0x0dde55);
  const categories = ['electronics', 'books', 'home', 'toys', 'grocery', 'apparel', 'beauty', 'sports'];
  const priceRange: Record<string, [number, number]> = {
    electronics: [19, 899],
    books: [6, 45],
    home: [9, 299],
    toys: [5, 79],
    grocery: [1, 25],
    apparel: [9, 149],
    beauty: [4, 89],
    sports: [9, 399],
  };
  const skus = idPool('SKU-', 500, 5, 10001);
  const skuCategory = skus.map(() => pool.pick(categories));
  const skuPrice = skuCategory.map((c) => {
    const [lo, hi] = priceRange[c]!;
    return Math.floor(lo + pool.next() * (hi - lo)) + 0.99;
  });
  const customers = idPool('C', 20_000, 6, 100000);
  return fixedDraws((rng, seq, t, now) => {
    // Squaring skews demand toward the first SKUs: a few best sellers, a long tail.
    const r = rng.next();
    const s = (r * r * skus.length) | 0;
    const q = rng.next();
    return {
      order_id: seq + 1,
      sku: skus[s],
      category: skuCategory[s],
      quantity: 1 + ((q * q * q * 5) | 0),
      unit_price: skuPrice[s],
      customer_id: customers[rng.int(customers.length)],
      ts: t,
      [EVENT_TIME]: t,
      [INGEST_TIME]: now,
    };
  }, 3);
}

function transactions(): MakeEvent {
  const pool = new Rng(0x7a5c7);
  // 100 slots weighted by share of card holders.
  const weights: [string, number][] = [
    ['US', 30],
    ['GB', 10],
    ['DE', 10],
    ['FR', 8],
    ['CA', 7],
    ['ES', 6],
    ['IT', 6],
    ['NL', 5],
    ['IN', 6],
    ['BR', 6],
    ['JP', 6],
  ];
  const countrySlots = weights.flatMap(([c, w]) => Array<string>(w).fill(c));
  const countries = weights.map(([c]) => c);
  const cards = idPool('card-', 10_000, 5);
  const home = cards.map(() => pool.pick(countrySlots));
  const brands = ['Acme', 'Blue Fox', 'Corner', 'Daily', 'Evergreen', 'Fresh', 'Golden', 'Harbor', 'Iron', 'Jade'];
  const kinds = ['Grocery', 'Pharmacy', 'Electronics', 'Books', 'Cafe', 'Fuel', 'Travel', 'Fashion', 'Hardware', 'Online'];
  const merchants = brands.flatMap((b) => kinds.map((k) => `${b} ${k}`));
  return (rng, seq, t, now) => {
    const c = rng.int(cards.length);
    const m = rng.next();
    // Most payments are small (exponential, mean ~40); 1 in 100 is large (500-5000).
    const big = rng.next() < 0.01;
    const amount = big ? cents(500 + rng.next() * 4500) : cents(0.5 - Math.log(1 - rng.next()) * 40);
    // 3 in 100 happen outside the card's home country.
    const abroad = rng.next() < 0.03;
    return {
      tx_id: seq + 1,
      card_id: cards[c],
      amount,
      merchant: merchants[(m * m * merchants.length) | 0],
      country: abroad ? countries[rng.int(countries.length)] : home[c],
      ts: t,
      [EVENT_TIME]: t,
      [INGEST_TIME]: now,
    };
  };
}

function sensors(): MakeEvent {
  const pool = new Rng(0x5e4502);
  const devices = idPool('sensor-', 200, 3, 1);
  const baseTemp = devices.map(() => 35 + pool.next() * 30);
  const baseVibration = devices.map(() => 0.5 + pool.next() * 2.5);
  const basePressure = devices.map(() => 2 + pool.next() * 6);
  // 1 device in 20 is wearing out: its temperature and vibration creep up over the run.
  const wearing = devices.map(() => pool.next() < 0.05);
  return fixedDraws((rng, seq, t, now) => {
    // Devices report in turn, like periodic telemetry.
    const d = seq % devices.length;
    const round = (seq / devices.length) | 0;
    const drift = wearing[d] ? Math.min(round / 500, 20) : 0;
    const spike = rng.next() < 0.005 ? 3 : 1;
    return {
      device_id: devices[d],
      temperature: cents(baseTemp[d]! + (rng.next() + rng.next() - 1) * 1.5 + drift),
      vibration: cents((baseVibration[d]! * (0.9 + rng.next() * 0.2) + drift / 4) * spike),
      pressure: cents(basePressure[d]! + (rng.next() - 0.5) * 0.3),
      ts: t,
      [EVENT_TIME]: t,
      [INGEST_TIME]: now,
    };
  }, 5);
}

function adEvents(): MakeEvent {
  const w = ysbWorld();
  const { userIds, pageIds, adIds, ipAddresses } = w;
  // As YSB's generator: every field drawn uniformly and independently.
  return fixedDraws(
    (rng, _seq, t, now) => ({
      user_id: userIds[rng.int(userIds.length)],
      page_id: pageIds[rng.int(pageIds.length)],
      ad_id: adIds[rng.int(adIds.length)],
      ad_type: YSB_AD_TYPES[rng.int(YSB_AD_TYPES.length)],
      event_type: YSB_EVENT_TYPES[rng.int(YSB_EVENT_TYPES.length)],
      event_time: t,
      ip_address: ipAddresses[rng.int(ipAddresses.length)],
      [EVENT_TIME]: t,
      [INGEST_TIME]: now,
    }),
    6,
  );
}

export const SCENARIO_BUILDERS = {
  orders,
  transactions,
  sensors,
  'ad-events': adEvents,
} as const satisfies Record<string, () => MakeEvent>;
