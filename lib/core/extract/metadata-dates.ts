// Publication and modification dates: many formats in, one out (ISO 8601 in UTC with milliseconds).
// A date without a zone is taken as UTC; a date in the future beyond a day of clock skew is rejected.

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** 1–12 for an English month name or its abbreviation ("Sept", "Mar."), else undefined. */
function monthNumber(name: string): number | undefined {
  const lower = name.toLowerCase();
  if (lower.length < 3) return undefined;
  const index = MONTH_NAMES.findIndex(
    (month) => month.startsWith(lower) || (lower === 'sept' && month === 'september'),
  );
  return index === -1 ? undefined : index + 1;
}

/** 2024-05-01, 2024-05-01T09:30, 2024-05-01 09:30:00.123456, with Z, +01:00, +0100 or +01 as the zone. */
const ISO_LIKE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Compact ISO forms: 20240501, 20240501T093000Z. */
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const EARLIEST_YEAR = 1990;
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/** Parses a date string from page metadata; undefined when it is not a plausible date. */
export function parseMetadataDate(raw: unknown, now: Date = new Date()): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).trim();
  if (text === '' || text.length > 100) return undefined;
  const millis = parseToMillis(text);
  if (millis === undefined || Number.isNaN(millis)) return undefined;
  const date = new Date(millis);
  if (date.getUTCFullYear() < EARLIEST_YEAR || millis > now.getTime() + MAX_FUTURE_MS) return undefined;
  return date.toISOString();
}

function parseToMillis(text: string): number | undefined {
  if (/^\d{10}(\d{3})?$/.test(text)) {
    // Unix epoch seconds or milliseconds (parsely and some CMSs).
    return text.length === 10 ? Number(text) * 1000 : Number(text);
  }
  const iso = ISO_LIKE.exec(text) ?? ISO_BASIC.exec(text);
  if (iso !== null) {
    const [, year, month, day, hour, minute, second, fraction, zone] = iso;
    return fromParts(
      Number(year),
      Number(month),
      Number(day),
      Number(hour ?? 0),
      Number(minute ?? 0),
      Number(second ?? 0),
      fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000),
      zone,
    );
  }
  return parseHumanDate(text);
}

function fromParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
  zone: string | undefined,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60)
    return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  // Date.UTC rolls over invalid days (Feb 31 → Mar 3); refuse those.
  if (new Date(utc).getUTCDate() !== day && hour !== 24) return undefined;
  return utc - zoneOffsetMinutes(zone) * 60_000;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (match === null) return 0;
  const sign = match[1] === '-' ? -1 : 1;
  return sign * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/**
 * Human dates such as "March 11, 2015 3:46 PM", "11 March 2015", "Wed, 02 Oct 2002 13:00:00 GMT" or
 * "Mar 5, 2019 at 6:01 am EST". Without a zone they are UTC (never the machine's local zone).
 */
function parseHumanDate(text: string): number | undefined {
  const cleaned = text
    .replace(/^(?:published|posted|updated|last updated|on)[:\s]+/i, '')
    .replace(/\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*/i, '')
    .replace(/\bat\b/i, ' ')
    .replace(/,/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const monthFirst = /^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)? (\d{4})(.*)$/i.exec(cleaned);
  const dayFirst = /^(\d{1,2})(?:st|nd|rd|th)?\.? ([a-z]{3,9})\.? (\d{4})(.*)$/i.exec(cleaned);
  let year: number;
  let month: number | undefined;
  let day: number;
  let rest: string;
  if (monthFirst !== null) {
    month = monthNumber(monthFirst[1] ?? '');
    day = Number(monthFirst[2]);
    year = Number(monthFirst[3]);
    rest = monthFirst[4] ?? '';
  } else if (dayFirst !== null) {
    month = monthNumber(dayFirst[2] ?? '');
    day = Number(dayFirst[1]);
    year = Number(dayFirst[3]);
    rest = dayFirst[4] ?? '';
  } else {
    return undefined;
  }
  if (month === undefined) return undefined;
  const time = /^\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*(.*)$/i.exec(rest);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let zoneText = rest.trim();
  if (time !== null && rest.trim() !== '' && (time[2] !== undefined || time[4] !== undefined)) {
    hour = Number(time[1]);
    minute = Number(time[2] ?? 0);
    second = Number(time[3] ?? 0);
    const meridiem = time[4]?.toLowerCase().replace(/\./g, '');
    if (meridiem === 'pm' && hour < 12) hour += 12;
    if (meridiem === 'am' && hour === 12) hour = 0;
    zoneText = (time[5] ?? '').trim();
  }
  const zone = namedZone(zoneText);
  if (zone === null) return undefined;
  return fromParts(year, month, day, hour, minute, second, 0, zone);
}

const NAMED_ZONES: Record<string, string> = {
  utc: 'Z',
  gmt: 'Z',
  z: 'Z',
  est: '-05:00',
  edt: '-04:00',
  cst: '-06:00',
  cdt: '-05:00',
  mst: '-07:00',
  mdt: '-06:00',
  pst: '-08:00',
  pdt: '-07:00',
  bst: '+01:00',
  cet: '+01:00',
  cest: '+02:00',
};

/** undefined: no zone (UTC); null: trailing text that is not a zone, so not a date we understand. */
function namedZone(text: string): string | undefined | null {
  if (text === '') return undefined;
  const lower = text.toLowerCase();
  if (NAMED_ZONES[lower] !== undefined) return NAMED_ZONES[lower];
  const offset = /^(?:gmt|utc)?\s*([+-]\d{2}:?\d{2})$/i.exec(text);
  if (offset !== null) return offset[1];
  return null;
}
