// Publication and modification dates: many formats in, one out (ISO 8601 in UTC with milliseconds).
// A date without a zone is taken as UTC; a date in the future beyond a day of clock skew is rejected.
import { caseInsensitiveMatcher } from './case-insensitive.ts';

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

// ---------------------------------------------------------------------------------------------------------------
// Dates as pages show them to readers, in the languages the extractor reads: a compact table of month names and
// relative-date words instead of a general date parser (chrono-node's English locale alone is 47 KB minified,
// more than this feature's whole bundle budget).

/** Month names (nominative and genitive forms where they differ), one list per month, many languages at once. */
const LOCALIZED_MONTHS: readonly string[][] = [
  [
    'january',
    'januar',
    'jänner',
    'janvier',
    'enero',
    'gennaio',
    'janeiro',
    'januari',
    'stycznia',
    'styczeń',
    'января',
    'январь',
    'ocak',
  ],
  [
    'february',
    'februar',
    'février',
    'febrero',
    'febbraio',
    'fevereiro',
    'februari',
    'lutego',
    'luty',
    'февраля',
    'февраль',
    'şubat',
  ],
  ['march', 'märz', 'mars', 'marzo', 'março', 'maart', 'marca', 'marzec', 'марта', 'март', 'mart'],
  ['april', 'avril', 'abril', 'aprile', 'kwietnia', 'kwiecień', 'апреля', 'апрель', 'nisan'],
  ['may', 'mai', 'mayo', 'maggio', 'maio', 'mei', 'maja', 'maj', 'мая', 'май', 'mayıs'],
  ['june', 'juni', 'juin', 'junio', 'giugno', 'junho', 'czerwca', 'czerwiec', 'июня', 'июнь', 'haziran'],
  ['july', 'juli', 'juillet', 'julio', 'luglio', 'julho', 'lipca', 'lipiec', 'июля', 'июль', 'temmuz'],
  ['august', 'août', 'agosto', 'augustus', 'sierpnia', 'sierpień', 'августа', 'август', 'ağustos'],
  [
    'september',
    'septembre',
    'septiembre',
    'setiembre',
    'settembre',
    'setembro',
    'września',
    'wrzesień',
    'сентября',
    'сентябрь',
    'eylül',
  ],
  [
    'october',
    'oktober',
    'octobre',
    'octubre',
    'ottobre',
    'outubro',
    'października',
    'październik',
    'октября',
    'октябрь',
    'ekim',
  ],
  ['november', 'novembre', 'noviembre', 'novembro', 'listopada', 'listopad', 'ноября', 'ноябрь', 'kasım'],
  [
    'december',
    'dezember',
    'décembre',
    'diciembre',
    'dicembre',
    'dezembro',
    'grudnia',
    'grudzień',
    'декабря',
    'декабрь',
    'aralık',
  ],
];

/** 1–12 for a month name or an abbreviation of at least three letters that names one month only. */
export function localizedMonth(word: string): number | undefined {
  const token = word.toLowerCase().replace(/\.$/, '');
  if (token.length < 3) return undefined;
  let found: number | undefined;
  for (let month = 0; month < 12; month++) {
    const names = LOCALIZED_MONTHS[month] ?? [];
    if (names.some((name) => name === token || (token.length >= 3 && name.startsWith(token)))) {
      if (found !== undefined && found !== month + 1) return undefined;
      found = month + 1;
    }
  }
  // "sept" is September's usual abbreviation; "juil"/"juin" are distinct already.
  if (found === undefined && token === 'sept') return 9;
  return found;
}

const LETTERS = '\\p{L}';
const MONTH_WORD = `([${LETTERS}]{3,12})\\.?`;
const DAY = '(\\d{1,2})(?:st|nd|rd|th|er|º|°|\\.)?';
const YEAR = '(\\d{4})';
const TIME =
  '(?:[,\\s]+(?:at|um|à|a las|alle|às|om|o|в|saat)?\\s*(\\d{1,2})[:h.](\\d{2})(?:[:.](\\d{2}))?\\s*(am|pm|a\\.m\\.|p\\.m\\.)?)?';

/**
 * Starts the two named-month patterns below. It asserts only that a character follows, which every match begins
 * with, so it changes no match; it stops V8 from precomputing a Boyer-Moore search table over their letter
 * classes, which took 20-150 ms of compile time in every fresh process (they run on short texts, where that
 * table saves nothing).
 */
const QUICK_COMPILE = '(?=[^])';

/** "9. Dezember 2016", "9 de diciembre de 2016", "9 December 2016, 09:13". */
const DAY_MONTH_YEAR = caseInsensitiveMatcher(
  `${QUICK_COMPILE}(?<![\\p{L}\\d])${DAY}\\s*(?:de\\s+|di\\s+)?${MONTH_WORD}\\s*,?\\s*(?:de\\s+)?${YEAR}${TIME}`,
);
/** "Dec 9, 2016 9:13 AM", "December 9th 2016". */
const MONTH_DAY_YEAR = caseInsensitiveMatcher(
  `${QUICK_COMPILE}(?<![\\p{L}])${MONTH_WORD}\\s+${DAY}\\s*,?\\s*${YEAR}${TIME}`,
);
/** "2016年12月9日 9:13", "2016년 12월 9일". */
const CJK_DATE =
  /(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?(?:\D{0,6}?(\d{1,2})[:：時시](\d{2}))?/u;
/** 2016-12-09, 2016/12/09, 2016.12.09 with an optional time. */
const NUMERIC_YMD = /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)(?:[T\s,]+(\d{1,2}):(\d{2}))?/;
/** 09.12.2016, 09/12/2016, 12/09/2016 (order by language), with an optional time. */
const NUMERIC_DMY =
  /(?<![\d.])(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)(?:[,\s]+(\d{1,2}):(\d{2})\s*(am|pm)?)?/i;

/** Languages that write numeric dates month first. */
const MONTH_FIRST_REGIONS = /^en(?:-us|-ph|-ca)?$|^en$/i;

/** English dates written out day first ("3 October 2023") or month first ("October 3, 2023"). */
const ENGLISH_MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const WRITTEN_DAY_FIRST = new RegExp(`(?<!\\d)\\d{1,2}(?:st|nd|rd|th)?\\s+${ENGLISH_MONTH}\\s+\\d{4}`, 'i');
const WRITTEN_MONTH_FIRST = new RegExp(`${ENGLISH_MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}`, 'i');

/**
 * The language to read the page's numeric dates with. An English page (its tag often the CMS default "en-US")
 * that writes its dates out day first ("3 October 2023") writes "03/10/2023" day first too: read as en-GB.
 */
export function numericDateLanguage(
  language: string | undefined,
  texts: Iterable<string>,
): string | undefined {
  if (!MONTH_FIRST_REGIONS.test(language ?? '')) return language;
  let dayFirst = 0;
  let monthFirst = 0;
  for (const text of texts) {
    if (text.length > 120 || !/\d{4}/.test(text)) continue;
    if (WRITTEN_DAY_FIRST.test(text)) dayFirst++;
    else if (WRITTEN_MONTH_FIRST.test(text)) monthFirst++;
  }
  return dayFirst > monthFirst ? 'en-GB' : language;
}

/** Relative dates: a number and a unit, then "ago" in the page's words (or before it: "vor 3 Tagen"). */
const RELATIVE_UNITS: [RegExp, number][] = [
  [
    /^(?:seconds?|secs?|sekunden?|secondes?|segundos?|secondi|seconden|sekund[y]?|секунд[уы]?|saniye|秒)$/iu,
    1000,
  ],
  [/^(?:minutes?|mins?|minuten?|minutos?|minuti|minuut|minut[y]?|минут[уы]?|dakika|分钟?|分|분)$/iu, 60_000],
  [
    /^(?:hours?|hrs?|stunden?|heures?|horas?|ore|ora|uur|godzin[y]?|godzinę|час(?:а|ов)?|saat|時間|小时|小時|시간)$/iu,
    3_600_000,
  ],
  [
    /^(?:days?|tagen?|tag|jours?|días?|dias?|giorni|giorno|dagen?|dzień|dni|дн(?:я|ей)|день|gün|日|天|일)$/iu,
    86_400_000,
  ],
  [
    /^(?:weeks?|wochen?|semaines?|semanas?|settimane?|weken|week|tygodni[e]?|недел[иью]|hafta|週間?|周|주)$/iu,
    7 * 86_400_000,
  ],
];
const RELATIVE_AGO =
  /(?:^|\s)(?:vor|il y a|hace|há|ha|fa)?\s*(\d{1,3})\s*([\p{L}]+)\s*(?:ago|fa|geleden|temu|назад|önce|前|전)?(?=$|\s|[.,])/iu;
const RELATIVE_MARKER = /\b(?:ago|vor|il y a|hace|há|fa|geleden|temu|назад|önce)\b|前|전/iu;
const YESTERDAY = /^(?:yesterday|gestern|hier|ayer|ieri|ontem|gisteren|wczoraj|вчера|dün|昨日|昨天|어제)\b/iu;
const TODAY =
  /^(?:today|heute|aujourd'hui|hoy|oggi|hoje|vandaag|dzisiaj|dziś|сегодня|bugün|今日|今天|오늘)\b/iu;

/**
 * A date as a page shows it ("Dec 9, 2016 9:13 AM", "9. Dezember 2016", "2016年12月9日", "09.12.2016",
 * "3 hours ago"), read with the page's language for numeric order; local times are taken as UTC (the page
 * seldom says its zone). Undefined when the text holds no such date.
 */
export function parseVisibleDate(raw: string, language: string | undefined, now: Date): string | undefined {
  const textValue = raw.replace(/\s+/g, ' ').trim();
  if (textValue === '' || textValue.length > 200) return undefined;
  const millis = visibleDateMillis(textValue, language, now);
  if (millis === undefined) return undefined;
  return parseMetadataDate(new Date(millis).toISOString(), now);
}

function visibleDateMillis(value: string, language: string | undefined, now: Date): number | undefined {
  const hour = (h: string | undefined, meridiem: string | undefined) => {
    let result = Number(h ?? 0);
    const m = meridiem?.toLowerCase().replace(/\./g, '');
    if (m === 'pm' && result < 12) result += 12;
    if (m === 'am' && result === 12) result = 0;
    return result;
  };
  // Every absolute form has a four-digit year: the texts without one (most of those tried) skip those patterns.
  const hasYear = /\d{4}/.test(value);
  const cjk = hasYear ? CJK_DATE.exec(value) : null;
  if (cjk !== null) {
    return fromParts(
      Number(cjk[1]),
      Number(cjk[2]),
      Number(cjk[3]),
      Number(cjk[4] ?? 0),
      Number(cjk[5] ?? 0),
      0,
      0,
      'Z',
    );
  }
  const dayFirst = hasYear ? DAY_MONTH_YEAR.exec(value) : null;
  const monthFirst = hasYear ? MONTH_DAY_YEAR.exec(value) : null;
  const named = [dayFirst, monthFirst]
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => a.index - b.index);
  for (const match of named) {
    const isDayFirst = match === dayFirst;
    const month = localizedMonth((isDayFirst ? match[2] : match[1]) ?? '');
    if (month === undefined) continue;
    const day = Number(isDayFirst ? match[1] : match[2]);
    const result = fromParts(
      Number(match[3]),
      month,
      day,
      hour(match[4], match[7]),
      Number(match[5] ?? 0),
      Number(match[6] ?? 0),
      0,
      'Z',
    );
    if (result !== undefined) return result;
  }
  const ymd = hasYear ? NUMERIC_YMD.exec(value) : null;
  if (ymd !== null) {
    const result = fromParts(
      Number(ymd[1]),
      Number(ymd[2]),
      Number(ymd[3]),
      Number(ymd[4] ?? 0),
      Number(ymd[5] ?? 0),
      0,
      0,
      'Z',
    );
    if (result !== undefined) return result;
  }
  const dmy = hasYear ? NUMERIC_DMY.exec(value) : null;
  if (dmy !== null) {
    let first = Number(dmy[1]);
    let second = Number(dmy[2]);
    const monthFirstOrder = (MONTH_FIRST_REGIONS.test(language ?? '') && first <= 12) || second > 12;
    if (monthFirstOrder) [first, second] = [second, first];
    const result = fromParts(
      Number(dmy[3]),
      second,
      first,
      hour(dmy[4], dmy[6]),
      Number(dmy[5] ?? 0),
      0,
      0,
      'Z',
    );
    if (result !== undefined) return result;
  }
  if (YESTERDAY.test(value)) return startOfUtcDay(now.getTime() - 86_400_000);
  if (TODAY.test(value)) return startOfUtcDay(now.getTime());
  const cjkRelative = /(\d{1,3})\s*(秒|分钟|分|時間|小时|小時|天|日|週間|周|시간|분|일|주)\s*(?:前|전)/u.exec(
    value,
  );
  if (cjkRelative !== null) {
    const unit = RELATIVE_UNITS.find(([pattern]) => pattern.test(cjkRelative[2] ?? ''));
    if (unit !== undefined) return now.getTime() - Number(cjkRelative[1]) * unit[1];
  }
  if (RELATIVE_MARKER.test(value)) {
    const relative = RELATIVE_AGO.exec(value);
    if (relative !== null) {
      const unit = RELATIVE_UNITS.find(([pattern]) => pattern.test(relative[2] ?? ''));
      if (unit !== undefined) return now.getTime() - Number(relative[1]) * unit[1];
    }
  }
  return undefined;
}

function startOfUtcDay(millis: number): number {
  const date = new Date(millis);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** A date in the URL path (/2024/05/03/ or /2024-05-03-): weak evidence, used only when the page says nothing. */
export function dateFromUrlPath(pathname: string, now: Date): string | undefined {
  const match = /\/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/-]|$)/.exec(pathname);
  if (match === null) return undefined;
  const millis = fromParts(Number(match[1]), Number(match[2]), Number(match[3]), 0, 0, 0, 0, 'Z');
  return millis === undefined ? undefined : parseMetadataDate(new Date(millis).toISOString(), now);
}
