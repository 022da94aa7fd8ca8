/**
 * The SSRF guard of sink.http: a document names the URL, and documents are shared and edited by
 * people who do not run the server, so by default no request may reach the server's own host,
 * its link-local neighbours (cloud metadata at 169.254.169.254) or private networks. The
 * server allows ranges explicitly with SLUICE_HTTP_SINK_ALLOW (CIDRs, comma-separated).
 *
 * The check runs in the `lookup` of the request itself, on every address the name resolves to,
 * so the address checked is the address connected to (no DNS rebinding between check and use).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export const ALLOW_ENV = 'SLUICE_HTTP_SINK_ALLOW';

const REFUSED: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'this host'],
  ['10.0.0.0', 8, 'ipv4', 'a private network'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'a private network'],
  ['192.168.0.0', 16, 'ipv4', 'a private network'],
  ['224.0.0.0', 3, 'ipv4', 'multicast or reserved'],
  ['::', 128, 'ipv6', 'this host'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'a private network'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

export class TargetRefused extends Error {
  readonly code = 'http-target-refused';
}

export interface TargetGuard {
  /** Why `address` may not be reached, or undefined when it may. */
  refuses(address: string): string | undefined;
  /** A dns lookup for http.request that fails on a refused address. */
  lookup: LookupFunction;
}

/** Parses `10.0.0.0/8, 127.0.0.1/32, ::1/128`; throws naming the entry that is not a CIDR. */
export function parseAllowList(text: string | undefined): BlockList {
  const list = new BlockList();
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [addr, bits] = entry.split('/');
    const family = isIP(addr ?? '');
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32))
      throw new Error(`${ALLOW_ENV}: "${entry}" is not an address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1/32)`);
    list.addSubnet(addr!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

export function targetGuard(allowText: string | undefined = process.env[ALLOW_ENV]): TargetGuard {
  const allowed = parseAllowList(allowText);
  const refused = REFUSED.map(([addr, prefix, family, why]) => {
    const l = new BlockList();
    l.addSubnet(addr, prefix, family);
    return { l, why };
  });
  const refuses = (address: string): string | undefined => {
    const v4 = mappedV4(address);
    const family = v4 !== undefined || isIP(address) === 4 ? 'ipv4' : 'ipv6';
    const a = v4 ?? address;
    if (allowed.check(a, family)) return undefined;
    const hit = refused.find((r) => r.l.check(a, family));
    return hit ? `${a} is ${hit.why}; the server refuses it unless ${ALLOW_ENV} allows it` : undefined;
  };
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return (callback as (e: Error) => void)(err);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const why = refuses(a.address);
        if (why) return (callback as (e: Error) => void)(new TargetRefused(`${hostname}: ${why}`));
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
    });
  };
  return { refuses, lookup };
}

/** `::ffff:127.0.0.1` is 127.0.0.1: checked as IPv4, or the v6 form would slip past the v4 ranges. */
function mappedV4(address: string): string | undefined {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : undefined;
}
