/**
 * IP address parsing and the one table of address ranges the fetcher refuses.
 *
 * Every address is reduced to bytes before it is judged, so a range cannot be bypassed by spelling it
 * differently (decimal 2130706433, hex 0x7f000001, octal 0177.0.0.1, short 127.1, IPv4-mapped IPv6 ...).
 */

export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'documentation';

export interface AddressVerdict {
  /** The address in its normal textual form (dotted quad, or compressed IPv6). */
  address: string;
  family: 4 | 6;
  category: AddressCategory;
  /** Names the range that matched, for error messages: e.g. "127.0.0.0/8 (loopback)". */
  range?: string;
  /** For IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4), the embedded address. */
  embeddedIpv4?: string;
}

interface Range {
  family: 4 | 6;
  cidr: string;
  bytes: Uint8Array;
  prefix: number;
  category: Exclude<AddressCategory, 'public'>;
}

/** The ranges that are never the address of a public web server. Order matters: the first match wins. */
const RANGE_TABLE: ReadonlyArray<[string, Exclude<AddressCategory, 'public'>]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud instance metadata, inside the CGNAT range below
  ['100.64.0.0/10', 'shared'], // carrier-grade NAT
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // includes the cloud metadata endpoint 169.254.169.254
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'documentation'], // TEST-NET-1
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'documentation'], // TEST-NET-2
  ['203.0.113.0/24', 'documentation'], // TEST-NET-3
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // includes the broadcast address 255.255.255.255
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'], // deprecated IPv4-compatible addresses
  ['64:ff9b:1::/48', 'reserved'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001:db8::/32', 'documentation'],
  ['2001::/23', 'reserved'], // IETF protocol assignments, including Teredo 2001::/32
  ['3fff::/20', 'documentation'],
  // AWS's IPv6 instance services (metadata fd00:ec2::254, DNS, NTP, EKS Pod Identity), inside fc00::/7 below
  ['fd00:ec2::/32', 'metadata'],
  ['fc00::/7', 'private'], // unique local addresses
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
];

const RANGES: Range[] = RANGE_TABLE.map(([cidr, category]) => {
  const [base = '', prefixText = ''] = cidr.split('/');
  const bytes = parseIpv4(base) ?? parseIpv6(base);
  if (bytes === undefined) throw new Error(`bad range in table: ${cidr}`);
  return { family: bytes.length === 4 ? 4 : 6, cidr, bytes, prefix: Number(prefixText), category };
});

/**
 * Parses an IPv4 address the way browsers and WHATWG URL do: one to four parts, each decimal, hex (0x) or
 * octal (leading 0); the last part fills the remaining bytes (so 127.1 is 127.0.0.1 and 2130706433 is too).
 * Returns undefined for anything that is not an IPv4 address.
 */
export function parseIpv4(text: string): Uint8Array | undefined {
  const input = text.endsWith('.') ? text.slice(0, -1) : text;
  const parts = input.split('.');
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = parseIpv4Part(part);
    if (value === undefined) return undefined;
    numbers.push(value);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((value) => value > 255)) return undefined;
  const lastBytes = 4 - numbers.length;
  if (last >= 256 ** lastBytes) return undefined;
  const bytes = new Uint8Array(4);
  numbers.forEach((value, index) => {
    bytes[index] = value;
  });
  for (let index = 3, rest = last; index >= numbers.length; index--, rest = Math.floor(rest / 256)) {
    bytes[index] = rest % 256;
  }
  return bytes;
}

function parseIpv4Part(part: string): number | undefined {
  if (part === '') return undefined;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
    if (digits === '') return 0; // WHATWG accepts a bare "0x" as zero
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    radix = 8;
  }
  const pattern = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return undefined;
  const value = Number.parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Parses an IPv6 address (optionally in brackets, with a zone id or a dotted IPv4 tail) into 16 bytes. */
export function parseIpv6(text: string): Uint8Array | undefined {
  let input = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = input.indexOf('%');
  if (zone !== -1) input = input.slice(0, zone);
  if (!input.includes(':')) return undefined;
  const words: number[] = [];
  let tail: number[] = [];
  const lastColon = input.lastIndexOf(':');
  const maybeDotted = input.slice(lastColon + 1);
  if (maybeDotted.includes('.')) {
    // A dotted tail must be a plain dotted quad, never a short or hex IPv4 form.
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(maybeDotted)) return undefined;
    const v4 = maybeDotted.split('.').map(Number);
    if (v4.some((value) => value > 255)) return undefined;
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    input = input.slice(0, lastColon + 1);
    if (!input.endsWith('::')) input = input.slice(0, -1);
  }
  const halves = input.split('::');
  if (halves.length > 2) return undefined;
  const parseWords = (part: string): number[] | undefined => {
    if (part === '') return [];
    const result: number[] = [];
    for (const word of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(word)) return undefined;
      result.push(Number.parseInt(word, 16));
    }
    return result;
  };
  const head = parseWords(halves[0] ?? '');
  const rest = halves.length === 2 ? parseWords(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    words.push(...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail);
  } else {
    if (explicit !== 8) return undefined;
    words.push(...head, ...tail);
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}

/** Parses any IP address spelling; undefined when the text is a host name, not an address. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  return parseIpv6(text) ?? parseIpv4(text);
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const words: string[] = [];
  for (let index = 0; index < 16; index += 2) {
    words.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16));
  }
  // Compress the longest run of zero words, as in RFC 5952.
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    if (words[start] !== '0') {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && words[end] === '0') end++;
    if (end - start > bestLength && end - start > 1) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  if (bestStart === -1) return words.join(':');
  return `${words.slice(0, bestStart).join(':')}::${words.slice(bestStart + bestLength).join(':')}`;
}

function matches(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  const fullBytes = Math.floor(range.prefix / 8);
  for (let index = 0; index < fullBytes; index++) {
    if (bytes[index] !== range.bytes[index]) return false;
  }
  const bits = range.prefix % 8;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((bytes[fullBytes] ?? 0) & mask) === ((range.bytes[fullBytes] ?? 0) & mask);
}

/** The IPv4 address that an IPv6 address stands for (mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4). */
function embeddedIpv4(bytes: Uint8Array): Uint8Array | undefined {
  const startsWith = (prefix: number[]) => prefix.every((value, index) => bytes[index] === value);
  if (startsWith([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return bytes.slice(12, 16);
  if (startsWith([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return bytes.slice(12, 16);
  if (startsWith([0x20, 0x02])) return bytes.slice(2, 6);
  return undefined;
}

/** Judges an address given as bytes or in any textual spelling. Throws on text that is not an address. */
export function classifyAddress(input: string | Uint8Array): AddressVerdict {
  const bytes = typeof input === 'string' ? parseIpAddress(input) : input;
  if (bytes === undefined || (bytes.length !== 4 && bytes.length !== 16)) {
    throw new TypeError(`not an IP address: ${String(input)}`);
  }
  const address = formatIp(bytes);
  const family = bytes.length === 4 ? 4 : 6;
  if (family === 6) {
    const v4 = embeddedIpv4(bytes);
    if (v4 !== undefined) {
      const inner = classifyAddress(v4);
      return { ...inner, address, family, embeddedIpv4: inner.address };
    }
  }
  for (const range of RANGES) {
    if (matches(bytes, range)) return { address, family, category: range.category, range: range.cidr };
  }
  // Only 2000::/3 is allocated as global unicast; anything else in IPv6 is not a public server.
  if (family === 6 && ((bytes[0] ?? 0) & 0xe0) !== 0x20) {
    return { address, family, category: 'reserved', range: 'outside 2000::/3' };
  }
  return { address, family, category: 'public' };
}

/**
 * The only non-public categories any configuration can open (`allowPrivateNetwork`, or an allowed origin).
 * Link-local and metadata addresses (cloud credentials), unspecified, multicast and reserved ones never are.
 */
export const PRIVATE_NETWORK_CATEGORIES: ReadonlySet<AddressCategory> = new Set([
  'loopback',
  'private',
  'shared',
]);

export function describeVerdict(verdict: AddressVerdict): string {
  const via = verdict.embeddedIpv4 === undefined ? '' : ` (embeds IPv4 ${verdict.embeddedIpv4})`;
  const range = verdict.range === undefined ? '' : ` in ${verdict.range}`;
  return `${verdict.address}${via} is a ${verdict.category} address${range}`;
}
