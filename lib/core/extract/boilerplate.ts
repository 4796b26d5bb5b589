/**
 * Every selector, tag list and pattern the main-content extractor uses, in one table (the Readability.js /
 * trafilatura habit): tuning the extractor means editing this file, not hunting through the algorithm.
 * Patterns are generic (they describe kinds of page furniture), never specific to one site.
 * The long multilingual ones are written case-insensitive in lower case and compiled through caseInsensitiveTest
 * (run on the lower-cased text) or caseInsensitiveMatcher (the same, for exec and replace): cheaper to compile than
 * the `i` flag, same matches.
 */
import { CaseInsensitiveTest, caseInsensitiveMatcher, caseInsensitiveTest } from './case-insensitive.ts';

// ======== Main-content thresholds (Readability.js's DEFAULT_* and its inline numbers, and ours) ========

/** Readability's retry threshold: below this many characters, try again with relaxed rules. */
export const MIN_TEXT_CHARS = 500;
/** A relaxed attempt also lets some furniture back in, so it must find this many times the text to be taken. */
export const RETRY_MIN_GAIN = 2;
/** Shorter paragraphs give no score (Readability). */
export const MIN_PARAGRAPH_CHARS = 25;
/** A paragraph's score flows to this many levels of ancestors (divided by 1, 2, then 3 x level). */
export const SCORE_ANCESTOR_LEVELS = 5;
/** What a positive or negative class or id adds to or takes from a candidate (Readability). */
export const CLASS_WEIGHT = 25;
/**
 * When ALTERNATIVES_MIN_COUNT of the next candidates (among ALTERNATIVES_SCAN - 1) score at least
 * ALTERNATIVE_MIN_SCORE_RATIO of the top one and share an ancestor with it, the article is that ancestor.
 */
export const ALTERNATIVES_SCAN = 5;
export const ALTERNATIVE_MIN_SCORE_RATIO = 0.75;
export const ALTERNATIVES_MIN_COUNT = 3;
/** The top candidate climbs to a parent while the parent keeps at least its score divided by this. */
export const CLIMB_SCORE_DIVISOR = 3;
/**
 * ...and past weaker levels to an ancestor (at most this many levels up) that scores at least this share of the
 * top one, holds this many times its paragraph text and is linked at most this much: the story around a box.
 */
export const WRAPPED_TOP_MAX_LEVELS = 8;
export const WRAPPED_TOP_MIN_SCORE_RATIO = 0.75;
export const WRAPPED_TOP_MIN_PROSE_RATIO = 5;
export const WRAPPED_TOP_MAX_LINK_DENSITY = 0.2;
/**
 * A page of headed sections (a service page's blocks: a heading and a little prose each, a feature grid, an FAQ)
 * scores section by section, and the top candidate is one of them. It climbs (at most maxLevels) to an ancestor,
 * linked at most maxLinkDensity, whose children include at least minSections headed sections of one tag, the
 * branch it comes from among them: each with at least minProseChars of unlinked text besides its headings and
 * linked at most maxLinkDensity, together holding minShareOfAncestor of the ancestor's text, the others at least
 * minOthersShare of it (a story's body that holds most of its wrapper does not climb to the boxes beside it).
 * The sections it climbed to (or the top's own children, when they are such sections) are the content: conditional
 * cleaning leaves them whole but for boxes inside linked more than maxLinkDensityInside (buttons, link rows).
 * Only while the page's furniture is left out (the first attempt): with it back in, a consent dialog's headed
 * panels would pass for sections. Measured over the four corpora (session 10): with 3 sections, articles
 * lost their text to the reviews and related-post blocks beside them.
 */
export const SECTION_SIBLINGS = {
  maxLevels: 6,
  minSections: 4,
  minProseChars: 40,
  maxLinkDensity: 0.3,
  minShareOfAncestor: 0.7,
  minOthersShare: 0.3,
  maxLinkDensityInside: 0.5,
} as const;
/** A sibling of the top candidate joins with a score of max(SIBLING_MIN_SCORE, top x SIBLING_SCORE_RATIO)... */
export const SIBLING_MIN_SCORE = 10;
export const SIBLING_SCORE_RATIO = 0.2;
/** ...with this share of the top score as a bonus when it has the same class. */
export const SIBLING_CLASS_BONUS = 0.2;
/** A sibling section of prose joins: this many paragraphs, characters, prose share, at most this link density. */
export const SIBLING_SECTION_MIN_PARAGRAPHS = 2;
export const SIBLING_SECTION_MIN_CHARS = 200;
export const SIBLING_SECTION_MIN_PROSE_SHARE = 0.8;
export const SIBLING_MAX_LINK_DENSITY = 0.25;
/**
 * The story's opening in a container of its own beside the body's, a level or two up (page builders give the intro
 * and the body a container each): a prose section (SIBLING_SECTION_*, but with this prose share, as a table of
 * contents may sit in it) before the body's branch, at most maxLevels above the top candidate's parent, joins.
 */
export const OPENING_SECTION = { maxLevels: 2, minProseShare: 0.7 } as const;
/** A sibling paragraph longer than this joins when not link-dense; shorter, when it ends a sentence and has no link. */
export const SIBLING_PARAGRAPH_MIN_CHARS = 80;
/** Class-token pruning spares an element holding this share of the content or more. */
export const CLASS_PRUNE_MAX_SHARE = 0.6;
/**
 * A box holding a data table (a header row) with at least minShare of the box's text, the table among the box's
 * first maxScan elements, is the table's wrapper (a scroll or responsive box): conditional cleaning judges the table,
 * not the wrapper's class ("overflow-x-scroll" reads as a scroll widget).
 */
export const DATA_TABLE_WRAPPER = { minShare: 0.8, maxScan: 20 } as const;
/** A signup or search form with less text than this is dropped with its little box. */
export const FORM_BOX_MAX_CHARS = 600;
/** After a "Related" heading, the following lists / blocks with more link density than this are its teasers. */
export const TEASER_LIST_MIN_DENSITY = 0.3;
export const TEASER_BLOCK_MIN_DENSITY = 0.5;
/** A boilerplate line takes its box along while the box stays under min(chars, share of the content). */
export const ESCALATE_MAX_CHARS = 500;
export const ESCALATE_MAX_SHARE = 0.3;
/** ...and stops below a box that is mostly a list of items linked less than this (the list is content). */
export const ESCALATE_STOP_LIST_MAX_LINK_DENSITY = 0.4;
/** A kicker or section label above the headline: a leaf of at most this many characters and words. */
export const SHORT_LABEL_MAX_CHARS = 40;
export const SHORT_LABEL_MAX_WORDS = 3;
/** Class attributes are read up to this length: a hostile megabyte-long class must not cost regex time. */
export const MAX_CLASS_CHARS = 500;
/** Most elements a block may have for its text to be read: short-block checks must stay linear overall. */
export const MAX_BLOCK_ELEMENTS = 200;

/**
 * Elements that are never article content, whatever page they are on: scripts and styles, embedded documents
 * and media players, form controls, and document metadata. The sanitizer drops them with everything inside.
 */
export const NON_CONTENT_TAGS: ReadonlySet<string> = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'link',
  'meta',
  'base',
  'svg',
  'canvas',
  'button',
  'input',
  'select',
  'textarea',
  'option',
  'dialog',
  'map',
  'area',
  'audio',
  'video',
  'source',
  'track',
  // Ruby annotations (the reading printed over the base characters), not words of the text.
  'rt',
  'rp',
]);

/** Removed from the whole page before scoring: never content, and they would only add noise. */
export const DROP_TAGS: ReadonlySet<string> = new Set([
  ...NON_CONTENT_TAGS,
  'nav',
  'aside',
  'footer',
  'menu',
]);
/** Page furniture by tag (the part of DROP_TAGS that may hold text); subject to FURNITURE_MAX_SHARE. */
export const FURNITURE_TAGS: ReadonlySet<string> = new Set(['nav', 'aside', 'footer', 'menu']);

/**
 * No furniture rule by tag, role, hidden style or unlikely class may drop an element holding more than this share of the page's
 * text: that element is nearly the whole page (an unclosed <aside>, a page hidden until its scripts reveal it).
 */
export const FURNITURE_MAX_SHARE = 0.8;

/**
 * A disclosure button (aria-expanded or aria-controls) whose text, at most maxChars, ends with a question mark is an
 * FAQ's question over the answer it opens, read as text (a button is otherwise dropped as a control).
 */
export const DISCLOSED_QUESTION = { maxChars: 300, ending: /[?？]\s*$/u } as const;

/** A streamed boundary's fallback ("Loading paragraph...") left without its closing comment: at most this long. */
export const STREAMED_FALLBACK_MAX_CHARS = 40;

/** <noscript> markup is read as the page when it holds this many times the text of everything else. */
export const NOSCRIPT_PAGE_MIN_RATIO = 2;

/** No pruning or conditional-cleaning rule may remove one box holding more than this share of the content. */
export const DESTRUCTIVE_MAX_SHARE = 0.5;
/**
 * When the boxes one rule would drop together exceed DESTRUCTIVE_MAX_SHARE, they are the story's parts; only
 * those with more link text than this share (menus, teaser grids) still go.
 */
export const COLLECTIVE_PART_MAX_LINK_DENSITY = 0.5;
/** ...and the boxes must average this many paragraphs: one-paragraph cards are teasers however many there are. */
export const COLLECTIVE_PART_MIN_PARAGRAPHS = 2;
/** ...or be plain prose: this share of their text in paragraphs, at most this share linked. */
export const COLLECTIVE_PROSE_MIN_PARAGRAPH_SHARE = 0.8;
export const COLLECTIVE_PROSE_MAX_LINK_DENSITY = 0.1;

/**
 * A story made of alike parts (listicle entries, guide sections, each in its own wrapper): when at least
 * SAME_KIND_MIN_PARTS other candidates among the SAME_KIND_MAX_SCAN best share the top one's tag and most of its
 * class tokens (SAME_KIND_MIN_CLASS_OVERLAP of their union: page builders add an instance or state token to each
 * part) and score at least SAME_KIND_MIN_SCORE_RATIO of it, the content is their common ancestor.
 */
export const SAME_KIND_MIN_PARTS = 2;
export const SAME_KIND_MAX_SCAN = 10;
export const SAME_KIND_MIN_SCORE_RATIO = 0.25;
export const SAME_KIND_MIN_CLASS_OVERLAP = 0.5;

/** ARIA roles that mark page furniture. */
export const BOILERPLATE_ROLES = new Set([
  'navigation',
  'menu',
  'menubar',
  'complementary',
  'contentinfo',
  'banner',
  'alert',
  'alertdialog',
  'dialog',
  'search',
]);

/**
 * class/id of page furniture, applied to the whole page before scoring (as Readability's unlikelyCandidates),
 * unless the same class/id also looks like content (MAYBE_CONTENT).
 */
export const UNLIKELY_CANDIDATE =
  /-ad-|^ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|cookie|consent|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|modal|newsletter|subscribe|signup|paywall|promo|share|sharing|outbrain|taboola|recommend|trending|most-?popular|most-?read|masthead|navbar|topbar|toolbar|tooltip|jump-?link/i;
export const MAYBE_CONTENT = /and|article|body|column|content|main|shadow|story|entry|post-?text|embed/i;

/** Utility-class tokens (variants and arbitrary values: "lg:hidden", "[&_p]:mt-4", "w-1/2"): style, not role. */
export const UTILITY_CLASS_TOKEN = /[:[\]&!/]/;

/**
 * Readability's class weights: +25 / -25 on a candidate container ("overflow-hidden", "overflow_hidden" clip a box,
 * they hide nothing).
 */
export const POSITIVE_CLASS =
  /article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|prose|rich-?text|field-item|paragraph/i;
export const NEGATIVE_CLASS =
  /-ad-|(?<!overflow[-_](?:[xy][-_])?)hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|byline|author|caption|credit|newsletter|subscribe|recommend|nav|menu|teaser/i;

/** A strong, generic signal that an element is the article body (microdata or common CMS class names). */
export const ARTICLE_BODY_CLASS =
  /article[-_]?body|articlebody|article[-_]?content|article[-_]?text|post[-_]?body|post[-_]?content|entry[-_]?content|story[-_]?body|story[-_]?content|body[-_]?text|main[-_]?text|content[-_]?body|rich[-_]?text|field[-_]?body|article__body|paywall-content/i;

/**
 * Furniture that also hides INSIDE article containers: pruned from the chosen content by class/id token.
 * Tokens are class names and the id, lowercased; a token matching CONTENT_TOKEN is spared (e.g. "post-content").
 */
export const BOILERPLATE_TOKEN = new RegExp(
  [
    // ads and sponsored slots
    '^(ad|ads|advert|advertisement|adslot|dfp|gpt-ad|sponsored?|promo|promotion)$',
    String.raw`(^|[-_])(ads?|advert\w*|adslot)([-_]|$)`,
    // signup, consent and paywall furniture
    'newsletter|subscri(be|ption)|sign-?up|recaptcha|captcha|cookie|consent|gdpr|paywall|piano|notification-?bar',
    'donate|donation|inline-?(promo|signup)|follow-?us',
    // sharing and recirculation
    'share|sharing|social|related|read-?(also|more|next)|more-?(stories|articles|news|from)|also-?read',
    'most-?(read|popular|viewed)|recommend|trending|outbrain|taboola|you-?may-?like',
    // comments
    '(^|[-_])comments?([-_]|$)|comment-?(list|form|area|section|respond|thread)|disqus',
    // navigation, bylines, tags and page meta
    'breadcrumb|byline|about-?(the-?)?author|^(post-|entry-|article-)?authors?(-(bio|info|box|card|content|details|description|wrap|wrapper|area|section|profile|meta))?$',
    // the author's box under a theme's prefix or with a BEM part ('bmg-author-box', 'author-box--content')
    '(^|[-_])authors?[-_]?(bio|box|card|profile|about)([-_]|$)',
    'tags?(-list|list)?$|tag-?cloud|keywords|pagination|pager|^toc$|table-?of-?contents|skip-?link|jump-?to',
    'print-?only|sr-only|visually-?hidden|screen-?reader|^hidden$|is-hidden|toolbar',
    'copyright|disclaimer|timestamp|dateline|post-?meta|article-?meta|entry-?meta',
    // hover cards and tooltips (people/term popups inside paragraphs)
    String.raw`^(tooltip|popover|hovercard)$|(rollover|tooltip|popover|hover)[-\w]*[-_](block|content|box|card|popup|panel)$`,
  ].join('|'),
  // No `i`: the tokens are lowercased (classTokens) and the patterns are lowercase ASCII, so it would change
  // nothing but the compile cost.
);
/**
 * "paywall" names the gated story (the full text served behind the paywall) as often as the paywall's prompt: a box
 * so classed with this many paragraphs of its own is the story, not the prompt.
 */
export const PAYWALL_CLASS = /paywall/i;
export const GATED_STORY_MIN_PARAGRAPHS = 3;
/** Spares a class/id token from BOILERPLATE_TOKEN: the article body, and embedded posts (tweets are content). */
export const CONTENT_TOKEN =
  /^(article|post|entry|story|main|page)?[-_]?(body|content|text)$|articlebody|article-?body|post-?content|entry-?content|story-?body|embed/;

/** Embedded social posts: content, even though their markup is link-dense and classed "social". */
export const EMBEDDED_POST = /twitter-tweet|instagram-media|tiktok-embed|fb-post|bluesky-embed|reddit-card/i;

/** Class/id tokens of figure captions and photo credits: kept in html, left out of the plain text. */
export const CAPTION_TOKEN = /caption|credit/i;

/**
 * Text of short blocks that are furniture whatever their markup: closed-comment notices, newsletter pitches,
 * reCAPTCHA notices, cookie banners, share prompts, "read also" lead-ins, ad labels, paywall prompts.
 */
export const BOILERPLATE_TEXT = [
  /^comments? (are|is) (now )?closed\.?$/i,
  /^(be the first to comment|leave a (comment|reply)|post a comment|\d+ comments?|comments?)\W*$/i,
  // anti-spam notices ("This site is protected by reCAPTCHA and the ... Privacy Policy and Terms ... apply")
  /\bprotected by \w*captcha\b/i,
  /^this (web)?(site|form|page) is protected by\b/i,
  /\bprivacy policy and terms of (service|use) apply\b/i,
  /you can unsubscribe (at )?any ?time/i,
  /by (signing up|subscribing|clicking|registering)[^.]{0,80}(agree|consent|accept)/i,
  /^(sign up|subscribe|register) (now |today )?(for|to) (our|the)\b[^.]{0,80}(newsletter|e-?mails?|updates|alerts)/i,
  /\b(daily|weekly|free|our) newsletters?\b.{0,60}$/i,
  /^(get|receive) (our|the) [^.]{0,60}(newsletter|in your inbox)/i,
  /^(we|this (web)?site) uses? cookies/i,
  /^(share|share this|share this (article|story|post)|share on \w+|tweet|email|print|whatsapp)\W*$/i,
  /^(read|see) (also|more)\s*[:\-–—]/i,
  /^(related|more|also read|read next|recommended|most read|most popular|trending)( (articles?|stories|news|content|coverage|posts?|reading|links?))?\s*[:\-–—]?$/i,
  /^(advertisement|advertising|sponsored( content)?|ad|anzeige|publicité|реклама)\W*$/i,
  /^(subscribe|log ?in|sign in) to (continue|read|keep reading)/i,
  /^this (article|content|story) is (for|available to) (subscribers|members)/i,
  /^follow (us|@?[\w.]+) on (twitter|facebook|instagram|linkedin|google news)/i,
  /\bfollow (him|her|them|us|me) on (twitter|facebook|instagram|linkedin|x)\b/i,
  /^(got|have) a (news )?tip\b/i,
  // credits and contributor lines of wire stories
  /^\(?(reporting|writing|additional reporting|compiled|edited|editing) by\b/i,
  /\bcontributed (reporting )?to (this|the) (report|story|article)\.?\)?$/i,
  /^(reach|contact|e-?mail) the (reporters?|writers?|authors?)\b/i,
  // engagement prompts
  /^(like|enjoy(ed)?) this (story|article|post)\?/i,
  /^if you (enjoyed|liked|appreciated)( reading)? this (article|story|post)\b/i,
  /^(posted|filed) (on|under|in)\b.{0,80}$/i,
  /^(click|tap) here to/i,
  /^(image|photo|picture)( credit)?s?:/i,
  /^(skip to|jump to) (main )?content/i,
  /affiliate (and\/or referral )?(links?|commission)/i,
  /^(previous|next|older|newer) (post|article|story|page|entry)\b/i,
  /requires javascript|enable javascript/i,
  /^(get|read|see|watch|listen|subscribe|sign up|download|for more)\b.{0,160}\bclick(ing)? here\b/i,
  /^(image|photo|picture|slide|video)\s*\d+\s*(of|\/)\s*\d+$/i,
  /^this (document|article|material|content) is (subject to|protected by) copyright/i,
  // copyright lines ('© 2020 Example Media Inc. All Rights Reserved.')
  /^(©|\(c\)|copyright)\s*(©|\(c\))?\s*\d{4}\b[^.!?]{0,120}\.?$/i,
  /\ball rights reserved\.?$/i,
  // follow / join calls for social networks and messaging channels
  /^follow [\w.@' -]{1,40} on (twitter|x|facebook|instagram|linkedin|threads|bluesky|youtube|tiktok|telegram|whatsapp)\b/i,
  /\b(join|follow) (us|our channel) on (telegram|whatsapp|signal|discord)\b/i,
  /^(become a (member|subscriber|supporter)|sign up here)\b/i,
  /\bsign up here\W*$/i,
  /^get the (latest|breaking|top) (news|stories|headlines)\b.{0,80}\b(app|newsletter|inbox)\W*$/i,
  /^citation:/i,
  // a pager's position ('Page 1 of 8', 'Seite 2 von 5', 'Página 1 de 3')
  /^(page|seite|pagina|página|strona|pagina) \d+ (of|von|sur|de|di|z|van) \d+$/iu,
  // a signup form's buttons and its thank-you line
  /^(sign up|sign in|log ?in|register|subscribe( now)?|book a demo)\W*$/i,
  /^thank(s| you)\W+(for (subscribing|signing up)|please check your (inbox|e-?mail))/i,
  /\bdelivered (straight |right )?to your inbox\W*$/i,
  // a wire story's agency and editor initials on their own line ('aja/PAP', 'dpa/lnw', 'AFP/dpa'); capitals alone
  // are a list of acronyms ('ZTNA / SASE / SDWAN')
  /^(?=.*(?<!\p{L})\p{Ll}{2,4}(?!\p{L}))\(?(\p{Lu}{2,5}|\p{Ll}{2,4})(\s*\/\s*(\p{Lu}{2,5}|\p{Ll}{2,4})){1,3}\)?$/u,
];
/** Messaging apps whose channels a call to join names (a pattern of BOILERPLATE_TEXT_INTL must find one). */
const MESSAGING_APPS = ['telegram', 'whatsapp'];
/** "Click here" in other languages, lower case (a pattern of BOILERPLATE_TEXT_INTL must find one). */
const CLICK_HERE = [
  'hier klicken',
  'klicken sie hier',
  'klick hier',
  'cliquez ici',
  'haga clic aquí',
  'haz clic aquí',
  'pulse aquí',
  'pulsa aquí',
  'clicca qui',
  'clique aqui',
  'klik hier',
  'kliknij tutaj',
  'нажмите здесь',
];
/**
 * The same functions in other languages (de, fr, es, it, pt, nl, pl, ru, tr, ja, zh): "read also" lead-ins,
 * subscribe / newsletter / donate / app calls, ad labels, photo credits and rights notes. Ordinary words of each
 * language for page furniture, as Readability and trafilatura list them; tested on short blocks only.
 */
export const BOILERPLATE_TEXT_INTL = [
  // "read also:" lead-ins
  caseInsensitiveTest(
    String.raw`^(lesen sie (auch|mehr|weiter)|lies auch|auch interessant|mehr zum thema|weiterlesen|siehe auch|lire aussi|à lire aussi|voir aussi|lire la suite|(lea|lee) (también|más)|leer más|ver también|te puede interesar|leggi (anche|tutto)|potrebbe interessarti|vedi anche|leia (também|mais)|veja também|saiba mais|lees (ook|meer|verder)|zie ook|czytaj (też|także|również|więcej|dalej)|zobacz (też|także|również)|читайте (также|тоже)|смотрите также|читать далее|подробнее|ayrıca (bakınız|okuyun)|devamını oku|ilginizi çekebilir)\s*[:\-–—»›>]`,
  ),
  // subscribe / newsletter / donate / app calls
  caseInsensitiveTest(
    String.raw`^(jetzt |hier )?(abonnieren|newsletter abonnieren|zum newsletter anmelden|(jetzt )?spenden|app herunterladen)\b`,
  ),
  caseInsensitiveTest(
    String.raw`^(abonnez-vous|inscrivez-vous à (notre|la) newsletter|faire un don|téléchargez (notre|l')application)\b`,
  ),
  caseInsensitiveTest(
    String.raw`^(suscríbete|suscribete|suscríbase|hazte (socio|miembro)|haz una donación|descarga (nuestra|la) app)\b`,
  ),
  // follow / join calls and messaging channels
  caseInsensitiveTest(
    String.raw`^(folgen sie uns|folge uns|suivez-nous|rejoignez-nous|síguenos|siguenos|seguici|siga-nos|volg ons|obserwuj nas|подписывайтесь на наш канал)(?!\p{L})`,
  ),
  caseInsensitiveTest(
    String.raw`^(únete|unete|join|tritt|rejoignez|iscriviti|entre)(?!\p{L}).{0,60}(?<!\p{L})(canal|kanal|chaîne|channel|canale|grupo|gruppe|group)(?!\p{L}).{0,20}(${MESSAGING_APPS.join('|')})(?!\p{L})`,
    MESSAGING_APPS,
  ),
  // a messaging channel named before the call to join it ("¿Ya sabías que tenemos canal de Telegram? Únete…")
  caseInsensitiveTest(
    String.raw`^(?=.*(?<!\p{L})(únete|unete|join|tritt|rejoignez|iscriviti|entre|síguenos|folge|abonniere)(?!\p{L})).*(?<!\p{L})(canal|kanal|chaîne|channel|canale|grupo|gruppe|group)\s+(de\s+|on\s+|auf\s+|sur\s+|su\s+|no\s+|en\s+|in\s+)?(${MESSAGING_APPS.join('|')})(?!\p{L})`,
    MESSAGING_APPS,
  ),
  // "our newsletter" closing a short call, as the English rule above
  caseInsensitiveTest(
    String.raw`(?<!\p{L})(nuestr[oa]s? (newsletter|boletín|boletines)|notre (newsletter|lettre d'information)|unseren? newsletter|nostra newsletter|nossa newsletter|onze nieuwsbrief|nasz(ego|ym) newslettera?)(?!\p{L})[^.!?]{0,60}\W*$`,
    // a word of each alternative: "newsletter", "boletín"/"boletines", "lettre d'information", "nieuwsbrief"
    ['newsletter', 'bolet', "lettre d'information", 'nieuwsbrief'],
  ),
  // "click here" calls, on one short line (a longer block around them is a pitch with content of its own)
  caseInsensitiveTest(String.raw`^(?=.{0,120}$).*(?<!\p{L})(${CLICK_HERE.join('|')})(?!\p{L})`, CLICK_HERE),
  // "download this as PDF"
  caseInsensitiveTest(
    String.raw`^((dieses?|diesen|den|das|die)( [\p{L}-]+){1,2} als pdf (herunterladen|downloaden|speichern)|(download|save) (this|the)( [\p{L}-]+){1,3} (as|in) pdf|télécharger (ce|cet|cette|le|la)( [\p{L}'-]+){1,3} en pdf|descargar (este|esta|el|la)( [\p{L}-]+){1,3} en pdf)\W*$`,
  ),
  caseInsensitiveTest(
    String.raw`^(werden sie|werde) (jetzt )?mitglied\b|^(devenez|deviens) (membre|abonné)|^(diventa|diventi) (socio|abbonato)|^(torne-se|seja) (membro|assinante)`,
  ),
  caseInsensitiveTest(
    String.raw`^(iscriviti alla( nostra)? newsletter|abbonati|fai una donazione|scarica (la nostra|l')app)\b`,
  ),
  caseInsensitiveTest(String.raw`^(assine|inscreva-se|faça uma doação|baixe (o nosso|o) app)\b`),
  caseInsensitiveTest(String.raw`^(abonneer (je|u)|schrijf (je|u) in voor|doneer)\b`),
  caseInsensitiveTest(
    String.raw`^(zapisz się do newslettera|zasubskrybuj|subskrybuj|wesprzyj nas|pobierz aplikację)\b`,
  ),
  caseInsensitiveTest('^(подпишитесь|подписывайтесь|поддержите нас|скачайте приложение)'),
  caseInsensitiveTest('^(abone ol|bültenimize abone olun|uygulamayı indir)'),
  /^(メルマガ|ニュースレター)(登録|に登録)|^(订阅|关注我们|下载客户端)/u,
  // ad labels and sponsored marks
  caseInsensitiveTest(
    String.raw`^(werbung|anzeige|publicité|publicidad|pubblicità|publicidade|advertentie|reklama|реклама|reklam|広告|广告|sponsored|gesponsert|sponsorisé|patrocinado|sponsorizzato)\W*$`,
  ),
  // photo credits and rights notes
  caseInsensitiveTest(
    String.raw`^(foto|fotos|bild|bilder|titelbild|beitragsbild|photo|crédits? photo|zdjęcie|фото|fotoğraf|写真|图片|图)\s*[:©]|^fot\.\s`,
  ),
  caseInsensitiveTest(
    '^(alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati|todos os direitos reservados|alle rechten voorbehouden|wszelkie prawa zastrzeżone|все права защищены|tüm hakları saklıdır|無断転載|版权所有)',
  ),
  // comment, rating and print prompts; disclaimers
  caseInsensitiveTest(
    String.raw`^(kommentieren|kommentar schreiben|commenter|comentar|commenta|comentários?)\W*$`,
  ),
  caseInsensitiveTest(
    String.raw`^(sie müssen|du musst) (sich |dich )?(einloggen|anmelden|eingeloggt sein|angemeldet sein)\b`,
  ),
  /^you must be (logged in|registered) to (post|leave|write) a comment/i,
  caseInsensitiveTest(
    String.raw`^(rezept|artikel|seite) drucken\b|^print (this )?(recipe|article|page)\b|^imprimer (la recette|l'article|cette page)\b`,
  ),
  caseInsensitiveTest(
    String.raw`^(hier können sie (den|diesen) (artikel|beitrag) bewerten|\(?(noch keine bewertungen|no ratings yet)\)?(\s*(loading|lade|wird geladen)\s*(\.\.\.|…)?)?|rate this (article|recipe|post))\W*$`,
  ),
  // closed comments (the English rule is in BOILERPLATE_TEXT)
  caseInsensitiveTest(
    String.raw`^(keine kommentare\s*)?(kommentare sind (geschlossen|deaktiviert)|die kommentarfunktion ist (geschlossen|deaktiviert)|les commentaires sont fermés|los comentarios están cerrados|i commenti sono chiusi|os comentários estão (encerrados|fechados)|reacties zijn gesloten|komentarze są (wyłączone|zamknięte))\W*$`,
  ),
  // a blog's like button and its count ("Like this:", "Gefällt mir Lade …", "%d Bloggern gefällt das:")
  caseInsensitiveTest(
    String.raw`^(like this|gefällt mir|j'aime( ça)?|me gusta|mi piace|curtir isso|vind ik leuk|polub to)\s*:?$|^(like|gefällt mir|j'aime|me gusta|mi piace|curtir|vind ik leuk)\s+(loading|lade|wird geladen|chargement|cargando|caricamento|carregando|laden)\W*$|^(%d|\d+) (bloggers? like this|bloggern gefällt das|blogueurs aiment cette page|blogueros les gusta esto)\W*$`,
  ),
  // a comment policy ("Comentários ... não serão aprovados pelo moderador", "Comments that ... will not be published")
  caseInsensitiveTest(
    String.raw`(?<!\p{L})(comentários|comentarios|commentaires|kommentare|comments)(?!\p{L}).{0,150}(?<!\p{L})(não serão|no serán|ne seront pas|werden nicht|will not be) (aprovados|publicados|approuvés|publiés|freigeschaltet|veröffentlicht|approved|published)(?!\p{L})`,
  ),
  // how to cite the page ("Suggested citation …", "Zitiervorschlag: …", "Pour citer cet article :")
  caseInsensitiveTest(
    String.raw`^(suggested citation|how to cite this (article|page|post)|cite this (article|page|post)|zitiervorschlag|pour citer cet article|cómo citar este artículo|come citare questo articolo)(?!\p{L})`,
  ),
  // engagement prompts in other languages ("Gefällt dir dieser Beitrag?", "Hat Ihnen der Artikel gefallen?",
  // "Vous avez aimé cet article ?", "¿Te gustó este artículo?") and a push-notification prompt
  caseInsensitiveTest(
    String.raw`^(gefällt (dir|ihnen|euch) (unser|unsere|dieser|diese|dieses|der|die|das) [\p{L}-]*(magazin|artikel|beitrag|blog|text|inhalt|podcast)|hat (dir|ihnen|euch) (dieser|der|unser) (artikel|beitrag|text) gefallen|(vous avez|tu as) aimé cet article|¿?(te|le) (ha gustado|gustó) este (artículo|post))\s*[?？]|(?<!\p{L})would like to send you (push )?notifications(?!\p{L})|(?<!\p{L})(möchte|würde) (dir|ihnen) gerne? (push-)?benachrichtigungen (senden|schicken)(?!\p{L})`,
  ),
  // a permalink line ("Permalink: https://…", "Permalien https://…")
  caseInsensitiveTest(
    String.raw`^(permalink|permalien|enlace permanente|link permanente)\s*:?\s*(https?://\S+)?$`,
  ),
  // an embed held back until the reader consents ("Empfohlener redaktioneller Inhalt", "An dieser Stelle finden Sie
  // einen externen Inhalt von …", "Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden")
  caseInsensitiveTest(
    String.raw`^empfohlener redaktioneller inhalt\W*$|^an dieser stelle find(et|en|est) (ihr|sie|du) einen externen inhalt(?!\p{L})|^ich bin damit einverstanden, dass mir externe inhalte angezeigt werden(?!\p{L})`,
  ),
  // a script's loading placeholder, alone in its block
  caseInsensitiveTest(
    String.raw`^(loading|lade|wird geladen|laden|chargement( en cours)?|cargando|caricamento( in corso)?|carregando|ładowanie|загрузка)\s*(\.\.\.|…)?(\s*please wait\W*)?$`,
  ),
  caseInsensitiveTest(String.raw`^\(?alle angaben ohne gewähr\b`),
  // a post's tag list ("Tags: a, b, c", "Schlagwörter: …", "- Categoria: Saúde - Tags: …"), ending the block
  caseInsensitiveTest(
    String.raw`(^|\s[-–|•·]\s)[-–•\s]*(tags?|schlagw(ö|o)rte?r?|stichw(ö|o)rte?r?|etiquetas?|étiquettes?|mots[- ]clés|tagi|etichette|trefwoorden|метки|теги|etiketler)\s*:\s*[^\s.!?][^.!?]{0,200}$`,
    [':'],
  ),
  caseInsensitiveTest(
    '^(dieser )?(beitrag|artikel|text) gibt (die|ausschließlich die) meinung (des autors|der autorin)',
  ),
  caseInsensitiveTest(String.raw`^je (fais|soutiens) un don\b`),
  caseInsensitiveTest(
    '^(dieser (artikel|beitrag|inhalt|text) (ist|steht|wurde|wird) (veröffentlicht )?unter (der|einer) lizenz|ce (contenu|texte|article) est (publié|disponible) sous licence|este (contenido|artículo) (se publica|está) bajo (una )?licencia)',
  ),
];
/** Every furniture text pattern, English and the other languages: what short blocks are tested against. */
export const BOILERPLATE_TEXT_ANY_LANGUAGE = [...BOILERPLATE_TEXT, ...BOILERPLATE_TEXT_INTL];
// The table by kind, so that each loop of isBoilerplateText calls one kind (a call site V8 keeps monomorphic).
const BOILERPLATE_TEXT_PATTERNS = BOILERPLATE_TEXT_ANY_LANGUAGE.filter((item) => item instanceof RegExp);
const BOILERPLATE_TEXT_TESTS = BOILERPLATE_TEXT_ANY_LANGUAGE.filter(
  (item) => item instanceof CaseInsensitiveTest,
);
/** Whether a text matches any of BOILERPLATE_TEXT_ANY_LANGUAGE (tested in any order: only whether one matches counts). */
export function isBoilerplateText(text: string): boolean {
  for (const pattern of BOILERPLATE_TEXT_PATTERNS) if (pattern.test(text)) return true;
  return CaseInsensitiveTest.any(BOILERPLATE_TEXT_TESTS, text);
}
/** Only blocks shorter than this many characters are tested against BOILERPLATE_TEXT. */
export const BOILERPLATE_TEXT_MAX_CHARS = 320;
/** Loose text read per run between a container's blocks before it is known too long to be a notice (whitespace
 * not yet collapsed, so more than BOILERPLATE_TEXT_MAX_CHARS). */
export const LOOSE_RUN_READ_MAX_CHARS = 2 * BOILERPLATE_TEXT_MAX_CHARS;
/** Blocks too long to be a notice whose lines (between <br>) are still judged one by one as notices. */
export const LINE_BROKEN_TAGS: ReadonlySet<string> = new Set(['p', 'td', 'div']);

/** Elements whose text counts as one paragraph for scoring (Readability's elementsToScore). */
export const PARAGRAPH_TAGS = new Set(['p', 'pre', 'td', 'h2', 'h3', 'h4', 'h5', 'h6', 'section']);

/** Children that stop a div from being treated as a paragraph (Readability's DIV_TO_P_ELEMS). */
export const BLOCK_CHILD_TAGS = new Set([
  'blockquote',
  'dl',
  'div',
  'img',
  'ol',
  'p',
  'pre',
  'table',
  'ul',
  'section',
  'article',
  'header',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'figure',
]);

/** Containers that may become the top candidate, and their base score by tag (Readability's initializeNode). */
export const TAG_BASE_SCORE: Record<string, number> = {
  div: 5,
  article: 8,
  main: 5,
  section: 3,
  pre: 3,
  td: 3,
  blockquote: 3,
  address: -3,
  ol: -3,
  ul: -3,
  dl: -3,
  dd: -3,
  dt: -3,
  li: -3,
  // Readability gives <form> -3; whole pages wrapped in one <form> (ASP.NET) made that cost the story.
  form: 0,
  h1: -5,
  h2: -5,
  h3: -5,
  h4: -5,
  h5: -5,
  h6: -5,
  th: -5,
};

/** Containers pruned by link density and shape after the body is chosen (Readability's cleanConditionally). */
export const CONDITIONAL_TAGS = new Set([
  'div',
  'section',
  'ul',
  'ol',
  'table',
  'form',
  'aside',
  'header',
  'dl',
]);

/** Headings that introduce furniture rather than a section of the story. */
const BOILERPLATE_HEADING_SOURCE = String.raw`^(related|more (from|on|in|about|stories|news|articles)|more\s*:|read (more|also|next)|also read|recommended|most (read|popular|viewed)|trending|comments?|leave a (comment|reply)|share( this)?|sign up|subscribe|newsletter|you (may|might) (also )?like|tags|topics|advertisement|popular|latest( news)?|recent (posts|articles|stories)|((other|more) )?(posts|articles|stories|recipes|reads) you (may|might|will) (also )?(like|enjoy|love)|table of contents|inhaltsverzeichnis|sommaire|table des matières|índice de contenidos?|tabla de contenidos?|indice dei contenuti|sumário|inhoudsopgave|spis treści|содержание|içindekiler|目次|目录|top stories|don'?t miss|editor'?s picks|further reading|see also|more\b.{0,30}\b(stories|articles|news|reads|coverage|videos)|mehr zum thema|mehr (aus|von|zu)\b.{0,30}|(das|auch) könnte sie (auch )?interessieren|(weitere|mehr) (artikel|beiträge|nachrichten|themen)|(ähnliche|verwandte) (artikel|beiträge|themen)|auch interessant|(neueste|aktuellste) (artikel|beiträge|nachrichten)|lesen sie auch|meistgelesen|kommentare|sur le même sujet|à lire aussi|lire aussi|à voir aussi|voir aussi|dans la même rubrique|(articles?|sujets|contenus) (similaires|liés|associés|connexes)|les plus lus|commentaires|(noticias|artículos|temas|notas|contenidos) relacionad[oa]s|te puede interesar|lo más leído|más noticias|lee también|comentarios|(articoli|notizie|contenuti) correlati|potrebbe interessarti|leggi anche|i più letti|altre notizie|commenti|(notícias|artigos|matérias|temas|conteúdos) relacionad[oa]s|leia também|veja também|mais lidas|comentários|gerelateerde artikelen|lees ook|meest gelezen|meer nieuws|reacties|czytaj (też|także|również)|zobacz (też|także|również)|podobne artykuły|najczęściej czytane|komentarze|читайте также|по теме|похожие (статьи|новости)|самое читаемое|комментарии|[iİ]lgili (haberler|yazılar)|benzer haberler|en çok okunanlar|yorumlar|関連記事|関連ニュース|おすすめ記事|人気記事|コメント|相关(文章|阅读|新闻)|推荐阅读|热门文章|评论)(?![\p{L}\p{N}])`;
export const BOILERPLATE_HEADING = caseInsensitiveTest(BOILERPLATE_HEADING_SOURCE);
/** Short non-heading blocks ("You may also like...", "DON'T MISS") must match a heading phrase in full. */
export const BOILERPLATE_HEADING_LINE = caseInsensitiveTest(
  String.raw`${BOILERPLATE_HEADING_SOURCE}[\s\W]*$`,
);
export const BOILERPLATE_HEADING_LINE_MAX_CHARS = 50;

/** Words that may appear in a dateline ("PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: ..."). */
export const DATELINE_WORDS =
  /\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?|mon(day)?|tue(s(day)?)?|wed(nesday)?|thu(r(s(day)?)?)?|fri(day)?|sat(urday)?|sun(day)?|[ap]\.?m\.?|utc|gmt|bst|cet|cest|[ecmp][sd]t|published|updated|posted|last|modified|first|on|at|am|pm)\b/gi;
export const DATELINE_MAX_CHARS = 100;

/** Dateline words in other languages (pt, es, fr, de, it, nl, pl, ru); month names of every language are stripped too. */
export const DATELINE_WORDS_INTL = caseInsensitiveMatcher(
  String.raw`(?<!\p{L})(janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|enero|febrero|marzo|mayo|junio|julio|septiembre|octubre|noviembre|diciembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|januar|februar|märz|juni|juli|oktober|dezember|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|segunda|terça|quarta|quinta|sexta|feira|sábado|domingo|lunes|martes|miércoles|jueves|viernes|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|de|del|às|à|le|um|den|publicado|atualizado|actualizado|publié|veröffentlicht|aktualisiert|pubblicato|uhr|zuletzt|bearbeitet|geändert|stand|il|ultima|modifica|aggiornato|mis|jour|modifié|gepubliceerd|bijgewerkt|opublikowano|zaktualizowano|dnia|опубликовано|обновлено)(?!\p{L})`,
  'g',
);

/** A reading time, stripped from meta lines like a date ('5 min read', 'Lesezeit: 4 Minuten', '3 min de lecture'). */
export const READING_TIME = caseInsensitiveMatcher(
  String.raw`(?<!\p{L})(\d+\s*(min(ute)?s?|minuten|minutos|minuti)\.?\s*(read|reading|de lecture|de lectura|di lettura|de leitura|lesezeit)|(reading time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|tempo di lettura)\s*:?\s*\d+\s*(min(ute)?s?|minuten|minutos|minuti)\.?)(?!\p{L})`,
  'g',
);

/** A meta line: a dateline and short labels (section, tag) split by these marks; each label this short. */
export const META_LINE_SEPARATOR = /\s[|•·]\s/u;
export const META_LINE_LABEL_MAX_CHARS = 30;
export const META_LINE_LABEL_MAX_WORDS = 3;

/** Words that label a photo credit ("Foto:", "Photo by", "Credit:", "Bild:", "Фото:", Polish "Fot."). */
const PHOTO_CREDIT_LABEL = String.raw`(?:(?:(?:foto|photo|bild|image|picture)s?(?:\s+credits?)?|credits?|crédits?(?:\s+photo)?|zdjęcie|фото)(?:\s+by\s*:?|\s*[:：])|fot\.)`;
/** Where a credit may start: the block's start, or after a sentence's end, a bracket, a bar, a slash or a dash. */
const PHOTO_CREDIT_START = String.raw`(?:^|[.!?)"”»|/–—-]\s*)`;
/**
 * The end of a photo caption: its credit ("… (Foto: Agency)", "… | © Name/Agency", "…. Photo: Name",
 * "Name/Getty Images"). Tested on short blocks only.
 */
export const PHOTO_CREDIT_END = caseInsensitiveTest(
  [
    String.raw`\(\s*${PHOTO_CREDIT_LABEL}\s*[^()]{1,60}\)`,
    // A year after the mark is a copyright line ('© 2002 Jane Doe'), not a photo credit.
    String.raw`${PHOTO_CREDIT_START}©\s*[^\s\d©.!?][^©.!?]{0,59}`,
    String.raw`${PHOTO_CREDIT_START}${PHOTO_CREDIT_LABEL}\s*[^\s.!?:][^.!?:]{0,59}`,
    String.raw`(?:^|[\s/|])(?:via\s+)?getty images`,
  ]
    .map((part) => `(?:${part})\\s*\\.?$`)
    .join('|'),
);

/** A byline line: "By Jane Doe and John Roe on Monday, November 18th, 2019". */
export const BYLINE_START =
  /^((written|posted|published|reviewed|edited) by|(geschrieben|verfasst|veröffentlicht) von|(écrit|publié|rédigé) par|(escrito|publicado|redactado) por|(scritto|pubblicato) da|by|von|par|por|di|door|av|af)\s+/i;
export const BYLINE_MAX_CHARS = 120;
/** Words allowed between the names of a byline. */
export const BYLINE_JOINERS = new Set(['and', 'und', 'et', 'e', 'y', 'og', 'en', '&', 'with']);

/**
 * Links to a tag page (rel="tag", /tag/…, a relative ?tag=…; a shop's absolute ?tag= is an affiliate code): a
 * block of at least TAG_LIST_MIN_LINKS of them holding at least TAG_LIST_MIN_SHARE of its text is the post's tag
 * list, whatever its label says.
 */
export const TAG_LINK = /\/(tags?|schlagw(o|ö)rt(er|e)?|etiquetas?|tagged)\/[^/?#]+|^[^:]*[?&]tags?=/i;
export const TAG_LIST_MIN_LINKS = 2;
export const TAG_LIST_MIN_SHARE = 0.5;

/**
 * A box of blocks repeating its previous sibling's text word for word is a copy made for another screen size (page
 * builders render a desktop and a mobile variant and hide one with CSS): only boxes this long are compared.
 */
export const DUPLICATE_SIBLING_MIN_CHARS = 200;

/** A list of this many items or more that is nearly all links is a teaser list, not part of the story. */
export const LINK_LIST_MIN_ITEMS = 3;
export const LINK_LIST_MIN_DENSITY = 0.8;
/**
 * Unless a sentence of the story introduces it: the unlinked paragraph just before the list (or before the wrapper
 * it is the only child of) has at least minWords words and ends with a colon ("Many patches were sent for
 * review:", "Die wichtigsten Quellen im Überblick:"). A short label ("Read also:") is a teaser's, not prose.
 */
export const PROSE_INTRO = { minWords: 5, maxLinkDensity: 0.2, end: /[:：]\s*$/u } as const;

/** A paragraph that is nothing but a short link is a teaser for another article. */
export const LINK_PARAGRAPH_MIN_DENSITY = 0.9;
export const LINK_PARAGRAPH_MAX_CHARS = 150;

/**
 * A teaser whatever the language: a short label ("Read also:", "Lesen Sie auch »", "関連:") followed by a link,
 * or a short unlinked label line followed by a list of links. Only short, link-dense blocks qualify, never prose.
 */
export const LABEL_LINK_MAX_LABEL_CHARS = 40;
export const LABEL_LINK_MAX_CHARS = 200;
export const LABEL_LINK_MIN_DENSITY = 0.5;
/** The link is a headline, not a version number, a file name or a footnote mark. */
export const LABEL_LINK_MIN_LINK_CHARS = 20;
/** The label ends with one of these marks (colon, guillemet, arrow, bar, dash). */
export const LABEL_LINK_SEPARATOR = /^([^.!?。！？:：»›>|–—]{1,40}?)\s*[:：»›>|–—]/u;
/** A label line introducing a link list is at most this long, unlinked, and ends with a colon. */
export const LABEL_LINE_END = /[:：]\s*$/u;

/** Sentence-ending punctuation (Latin, CJK, Arabic, Devanagari). */
export const SENTENCE_END = /[.!?…。！？؟।"”’)]\s*$/;

/** Elements whose short text is tested against BOILERPLATE_TEXT, datelines and bylines. */
export const BOILERPLATE_TEXT_TAGS = new Set([
  'p',
  'div',
  'li',
  'span',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'section',
  'small',
  'em',
  'strong',
  'b',
  'i',
  'dd',
  'dt',
  'blockquote',
  'label',
  'figcaption',
]);

/** Blocks that may hold the lead (standfirst, deck) between the headline and the body. */
export const LEAD_BLOCK_TAGS = new Set(['p', 'div', 'h2', 'span', 'section', 'header', 'blockquote']);
/** A lead block is at least this long, mostly unlinked, and at most this many blocks are taken. */
export const LEAD_MIN_CHARS = 60;
export const LEAD_MAX_LINK_DENSITY = 0.2;
export const LEAD_MAX_BLOCKS = 2;
/** Text between the headline and the body beyond this is a page region of its own, not a lead. */
export const LEAD_MAX_GAP_CHARS = 1000;
/** Elements searched for an author-page link in each box around a lead block (bounds the search). */
export const LEAD_OWNER_BOX_MAX_ELEMENTS = 200;
/**
 * A block that is all the text of a box around a photo (at most this many levels up, with at most this much other
 * text beside it: a credit line), or of its caption-classed parent, is the photo's caption, not a lead.
 */
export const LEAD_PHOTO_BOX_MAX_LEVELS = 3;
export const LEAD_PHOTO_BOX_MAX_OTHER_CHARS = 60;
/** A lead is not prepended when one of the body's first this many text blocks says the same. */
export const LEAD_REPEAT_SCAN_BLOCKS = 3;
/** Elements looked at above the body when searching for the headline (bounds the search on huge pages). */
export const LEAD_MAX_SCAN = 200;

/** Containers whose loose text (beside block children) is scored as a paragraph, as Readability wraps it. */
export const LOOSE_TEXT_CONTAINERS = new Set(['div', 'section', 'article', 'main']);

/** Form controls: they are dropped, but their count tells that a box is a signup or search form. */
export const FORM_CONTROL_TAGS = new Set(['input', 'select', 'textarea', 'button']);

/** Input types that may toggle (checklist items, CSS-only tabs and accordions) rather than make a form. */
export const TOGGLE_INPUT = /^(checkbox|radio)$/i;

/** Inline styles that hide an element. */
export const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

/**
 * ARIA roles of a panel that is hidden only until the reader opens it. On a documentation page a tab panel (the
 * same steps or code sample in another language or for another platform) is part of the page as much as the tab
 * shown first; on a shop page the hidden tabs are the shop's own blurbs and slides, so only the documentation
 * extraction keeps them (see page-types/index.ts).
 */
export const REVEALED_PANEL_ROLES: ReadonlySet<string> = new Set(['tabpanel']);

/** Microdata marking the article body. */
export const ARTICLE_BODY_ITEMPROP = /\barticlebody\b/i;

// ======== Untitled pages: a title from the opening sentence, only when the text reads as prose ========

/**
 * A page with neither a declared title nor a headline still makes an article when its text is prose: at least
 * this many words, letters most of its visible characters, and most whitespace-separated tokens words (decoded
 * random bytes and markup debris fail both shares).
 */
export const PROSE_MIN_WORDS = 8;
export const PROSE_MIN_LETTER_SHARE = 0.7;
export const PROSE_MIN_WORD_TOKEN_SHARE = 0.8;
/** The opening sentence taken as a title is cut at a word boundary beyond this many characters. */
export const UNTITLED_TITLE_MAX_CHARS = 100;
/** Where the opening sentence ends: sentence punctuation followed by a space, or a line break. */
export const OPENING_SENTENCE_END = /[.!?…。！？؟।](?=\s)|[。！？]|\n/u;

// ======== Metadata: words that never make a person's name ========

/**
 * Another page's card around a date or a byline: a block of at most maxChars characters of text, within maxLevels
 * of the element and not holding the page's h1, with a heading (h2-h6) that links to another page
 * ("<article class=card><h3><a href=…>", "<a href=…><h4>…</h4></a>"). Its date and byline are that page's. The
 * heading is a title of at least minTitleWords words, not a link to an author's page ("<h3><a>Jane Doe</a></h3>").
 */
export const TEASER_CARD = { maxLevels: 5, maxChars: 500, minTitleWords: 4 } as const;
/**
 * Whole class tokens of a site menu that is not marked up as <nav> (WordPress "menu-item" / "sub-menu", Bootstrap
 * "navbar" / "dropdown-menu"): a link to an author's page in it is a menu entry, not a byline.
 */
export const MENU_CLASS_TOKEN =
  /^(?:(?:sub|mega|nav|dropdown)[-_]?)?menu(?:[-_](?:item|items|list))?$|^navbar$/i;
/**
 * Words of page furniture, roles and topics that a byline element or an author link also holds ("Alle Artikel",
 * "Voir le profil", "Join Us"), in the languages the extractor reads: a candidate name with one of
 * them is not a person's. Lower case; words that are also common surnames (Lees, Sales, More as a given name…)
 * are left out unless they already were.
 */
export const NOT_NAME_WORDS: ReadonlySet<string> = new Set(
  [
    // en
    'bio biography login log sign size text more about read view share follow subscribe menu search contact',
    'privacy policy terms cookie cookies reviewer reviewed expert editor editors writer writers contributor',
    'contributors author authors team staff desk tips tricks development strategy marketing security health',
    'news blog journalism director manager officer founder ceo head department community member members',
    'articles posts published updated comments reply home admin administrator webmaster moderator join',
    'request demo profile dealer explore person',
    // de
    'alle artikel beiträge beitrag mehr lesen weiterlesen ansehen anzeigen profil autor autoren autorin',
    'redaktion redakteur kontakt startseite folgen teilen abonnieren anmelden suche nachrichten',
    // fr
    'tous toutes voir lire plus profil auteur auteurs rédaction accueil suivre partager connexion recherche',
    'actualités',
    // es, pt
    'todos todas artículos artigos más mais leer perfil autora autores redacción inicio início seguir',
    'compartir partilhar compartilhar buscar noticias notícias',
    // it
    'tutti tutte articoli altri leggi vedi profilo autore autori redazione segui condividi notizie',
    // nl
    'allemaal artikelen berichten bekijk profiel auteur redactie volgen delen nieuws',
    // pl, tr, ru
    'wszystkie artykuły wpisy więcej zobacz czytaj profil redakcja yazılar tüm daha profili все статьи автор',
  ]
    .join(' ')
    .split(' '),
);
