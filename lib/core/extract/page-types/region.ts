// Pages made of several parts (service pages, listings, shop categories, documentation): the content is the
// page's main region as a whole, every section and every list item, minus the page furniture around and inside
// it (navigation, header, footer, sidebars, filters, pagination, forms, cookie and share bars). The generic
// extractor picks the one container with the most prose, which on such a page is one section or one card.
import type { AnyNode, Element } from 'domhandler';
import { resolveDocumentBase } from '../../url.ts';
import {
  BOILERPLATE_TEXT_MAX_CHARS,
  isBoilerplateText,
  NON_CONTENT_TAGS,
  REVEALED_PANEL_ROLES,
} from '../boilerplate.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import {
  documentRoot,
  elementsInOrder,
  findFirst,
  hasChildren,
  isElement,
  type ParsedPage,
  visibleLength,
} from '../content-dom.ts';
import { repairTree } from '../content-repair.ts';
import { semanticClass } from '../content-stats.ts';
import { HAS_LETTER } from '../letters.ts';
import { EVERY_PRICE, PRICE_TEXT } from '../page-type.ts';
import { sanitizeToHtml } from '../sanitize.ts';
import { countWords, toPlainText } from '../text.ts';
import { childrenByShape, collapsedTextWithin, labelsAcrossItems } from './repeats.ts';

export const PAGE_REGION = {
  /** Tags that are furniture wherever they sit. */
  furnitureTags: new Set([
    ...NON_CONTENT_TAGS,
    'nav',
    'header',
    'footer',
    'aside',
    'form',
    'menu',
    'button',
    'select',
    'dialog',
    'svg',
  ]),
  /** Class, id or role words of furniture: navigation, sidebars, filters, pagination, banners, share bars. */
  furnitureClass:
    /(?:^|[\s_-])(?:nav|navbar|navigation|menu|sidebar|breadcrumbs?|cookies?|consent|modal|popup|newsletter|subscribe|share|social|footer|skip|banner|filters?|facets?|pagination|pager|related|recommendations?|recommended|upsells?|cross-?sells?|recently-?viewed)(?:$|[\s_-])/i,
  /**
   * A class or id token naming the page's own header ("header", "site-header", "page_header"). "header" inside a
   * longer token names a block's heading part as often ("card-header", "section-header", "product-header": a card's
   * title), so it is not furniture there.
   */
  pageHeaderToken: /(?:^|\s)(?:(?:site|page|global|main|top)[-_]?)?header(?:$|\s)/i,
  /** Class and id strings longer than this are utility-class soup; their words say nothing. */
  maxClassChars: 200,
  /** A <main> with less than this share of the body's text is a fragment; the body is used instead. */
  minMainShare: 0.2,
  /** Less text than this: not a page we can trust; the generic extraction runs instead. */
  minChars: 200,
  /**
   * A furniture class name or a hidden mark (not a furniture tag) on an element holding this share of the
   * region's unlinked text is a layout wrapper ('sticky-footer' around the page, an aria-hidden <main>), not
   * furniture: it is kept.
   */
  maxFurnitureShare: 0.8,
  /**
   * Furniture tags that may also wrap the whole page: a <form> around the body (ASP.NET WebForms, a ranking
   * page's controls around its table) is a layout wrapper when it holds maxFurnitureShare of the region's text.
   */
  wrapperTags: new Set(['form']),
  /**
   * A link or button whose text (at most maxChars, with a letter) is repeated exactly in at least minShare of a
   * list's items, and in at least minItems of them, is the list's interface ("Add to cart", "Read more"). maxScan
   * elements are read per item.
   */
  itemActions: {
    minItems: 3,
    minShare: 0.5,
    maxChars: 40,
    maxScan: 300,
    tableTags: new Set(['table', 'thead', 'tbody', 'tfoot', 'tr']),
  },
  /** Furniture tags that head the <article> they sit in (a card's <header> holds its title): kept there. */
  itemPartTags: new Set(['header']),
  /**
   * An element whose whole text (collapsed, lower-cased, at most maxChars) is one of the page's controls rather
   * than content: calls to read, see or load more, pagers and carousel counters, result counts, sort and filter
   * controls, loading placeholders, shop badges, discounts, star ratings and review counts, cart buttons.
   */
  interfaceLabel: {
    maxChars: 60,
    patterns: [
      // alone: "Learn more about our editor" names what it leads to, and may be read as a line of the content
      /^(read|learn|see|view|show|load|discover|shop|browse) (more|all|less|now|everything|details)[\s\d()+›»→>.…-]*$/u,
      /^(mehr (erfahren|lesen|anzeigen|laden)|alle anzeigen|en savoir plus|voir (plus|tout)|afficher (plus|tout)|ver (más|todo|mais)|leer más|saber más|mostrar más|scopri di più|mostra (tutto|altro)|leggi di più|saiba mais|lees meer|meer (lezen|laden|bekijken)|bekijk alles|zobacz (więcej|wszystko)|pokaż więcej|показать (ещё|еще|все)|подробнее|daha fazla( göster)?)\W*$/u,
      /^(loading|chargement|wird geladen|laden|cargando|caricamento|carregando|ładowanie|загрузка)\s*(\.\.\.|…)?$/u,
      /^((image|photo|picture|slide|page|video|item)s?\s+)?\d+\s+(of|von|sur|de|di|z|van)\s+\d+$/u,
      /^(image|photo|picture|slide|page|video)\s*\d+\s*\/\s*\d+$/u,
      /^(showing\s+)?\d[\d,.]*\s*[-–]\s*\d[\d,.]*\s+(of|von|sur|de|di|z|van)\s+\d[\d,.]*(\s+\p{L}+)?$/u,
      /^(loaded\s+|showing\s+)?\d[\d,.]*\s+(results?|products?|items?|ergebnisse|produkte|artikel|résultats|produits|resultados|productos|risultati|prodotti)(\s+found)?$/u,
      /^(products|items|results)\s*\(\d[\d,.]*\)$/u,
      /^(next|previous|prev|older|newer)( page| slide| posts?| entries| items| articles)?\W*$/u,
      /^(nächste|vorherige) seite$|^(page )?(suivante|précédente)$|^página (siguiente|anterior)$|^pagina (successiva|precedente)$/u,
      /^skip to\b.{0,40}$/u,
      /^(sort by|sortieren nach|trier par|ordenar por|ordina per)\b.{0,30}$|^sort\s*(:.{0,30})?$/u,
      /^((show|hide|clear|reset) (all )?)?filters?( \(\d+\))?$/u,
      /^(sponsored|best ?seller|new arrivals?|top rated|sold out|out of stock|in stock|low stock|back in stock|online only|just in)$/u,
      /^[-–]\s*\d+\s*%$|^\d+\s*% off$|^save (up to )?(\d+\s*%|[$€£]\s?[\d.,]+)$/u,
      /^\(\d(\.\d)?\)(\s*\|)?$|^\d(\.\d)?\s*((out of|\/)\s*5)?\s*stars?$|^\d(\.\d)?\s*(out of|\/)\s*5$/u,
      /^\d(\.\d+)? (stars? )?out of (5|[\d,]+)( stars?| reviews| ratings)?\.?( [\d,]+ (reviews|ratings))?\.?$/u,
      /^\(?[\d,.]+\)?\s*(reviews?|ratings?|bewertungen|avis|reseñas|opiniones|recensioni|avaliações)$/u,
      /^(add to (cart|bag|basket|wishlist|wish list|favorites|favourites|list|compare)|buy now|quick (view|shop|add)|choose options|select options|in den warenkorb|ajouter au panier|añadir al carrito|aggiungi al carrello)$/u,
    ],
  },
  /**
   * A heading that introduces other products or pages than this one ("Similar items", "Customers also bought",
   * "You may also like", "Recently viewed"): the heading and the box it leads are left out (maxHeadedBoxShare).
   */
  recommendationHeading:
    /^(similar (items|products)|((customers|people|shoppers)( who (bought|viewed|purchased)( this( item| product)?)?)?|you might) also (bought|viewed|liked|purchased|like|love)\b.*|(frequently )?bought together|you (may|might) also (like|love|need)|related (products|items)|recently viewed( items| products)?|more (from|by) (this|the) (seller|brand|shop|store)|seller'?s other items|explore related( items| products)?|complete the look|shop the look|sponsored products\b.*|(products|items) related to this item|compare (with )?similar( items| products)?|more to consider|recommended (for you|products|items)|pairs well with|ähnliche (produkte|artikel)|kunden kauften auch|das könnte (dir|ihnen) auch gefallen|vous aimerez aussi|produits (similaires|associés)|productos (similares|relacionados)|también te puede gustar|prodotti (simili|correlati)|potrebbe piacerti anche|produtos (semelhantes|relacionados))\W*$/u,
  headingTags: new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']),
  /** A box led by such a heading is left out only when it holds less than this share of the region's text. */
  maxHeadedBoxShare: 0.5,
  /** Characters of a heading read to compare it with the patterns. */
  maxHeadingChars: 400,
  /** Elements of a following sibling searched for a heading, which ends a box that does not wrap its heading. */
  maxHeadingScan: 200,
  /**
   * A web address printed as plain text (outside a link and code): a value leaked from the page's data (an
   * image address, a tracking field), not content. Its text is read up to maxUrlChars.
   */
  bareUrl: /^(https?:\/\/|www\.)\S+$/u,
  maxUrlChars: 1000,
  /**
   * An element holding only one text that repeats the text just before it (a card's title printed again for
   * another screen size or for screen readers) is kept once; texts shorter than minEchoChars, or in tables, may
   * repeat on purpose ("Yes", a column of equal values).
   */
  minEchoChars: 10,
  /**
   * A heading's text at least this long that the region already showed in a heading anywhere before is a card shown
   * again (the same story in two modules of a front page): kept once. Plain values and links repeat on purpose (each job's
   * "Anywhere in the World", each post's author, each job's company).
   */
  minRepeatChars: 20,
  /**
   * A card (cardOfHeading) holds at most this much text and this many elements: a title with its teaser, byline,
   * date and image, not a section of several.
   */
  maxCardChars: 400,
  maxCardElements: 60,
  /** Code is quoted as written: neither its addresses nor its words are the page's controls. */
  codeTags: new Set(['code', 'pre', 'kbd', 'samp']),
  /**
   * A price's label for screen readers ("Regular price", "Sale price", "Unit price", "per", in any language): a
   * screen-reader-only element (screenReaderClass) whose text is short (maxChars), has no digit, and sits in a price
   * block: an ancestor at most maxLevels up whose whole text (at most maxBlockChars) shows a price. Sighted readers
   * see the price alone; a list of products would otherwise say "Regular price" on every card. A screen-reader text
   * read within a line, or beside a part hidden from screen readers (it speaks "/mo." as "per month"), is words.
   */
  priceLabel: {
    screenReaderClass:
      /(?:^|\s)(?:sr-only|visually-?hidden|visuallyhidden|screen-?reader-?(?:text|only)|a11y-hidden|assistive-text)(?:$|\s)/i,
    maxChars: 30,
    maxLevels: 3,
    maxBlockChars: 120,
  },
} as const;

/**
 * The page's main region minus its furniture (and what `extraFurniture` marks, for a type's own furniture), or
 * undefined when it holds too little text. With `revealPanels`, hidden panels the reader can open
 * (REVEALED_PANEL_ROLES: tab panels) are kept.
 */
export function extractPageRegion(
  $: ParsedPage,
  options: ContentOptions,
  extraFurniture?: (element: Element) => boolean,
  revealPanels = false,
): ExtractedContent | undefined {
  const root = documentRoot($);
  const body = findFirst(root, 'body') ?? root;
  repairTree(root, body);
  const region = mainRegion(body);
  const regionProse = unlinkedLength(region);
  const regionText = readableLength(region, true);
  // A wrapper holds most of the region's prose or, on a page of linked items, most of all its text.
  const isLayoutWrapper = (element: Element) => {
    const held = unlinkedLength(element);
    if (held > 0 && held >= regionProse * PAGE_REGION.maxFurnitureShare) return true;
    const all = readableLength(element, true);
    return all > 0 && all >= regionText * PAGE_REGION.maxFurnitureShare;
  };
  const labels = repeatedItemActions(region);
  const recommendations = boxesLedBy(region, regionText, PAGE_REGION.recommendationHeading);
  // Asked twice per element (text, then HTML) and once more for echoes: the answer is kept.
  const skipped = new Map<Element, boolean>();
  const isLeftOut = (element: Element) => {
    let answer = skipped.get(element);
    if (answer === undefined) {
      answer =
        (isFurniture(element, revealPanels) ||
          extraFurniture?.(element) === true ||
          labels.has(element) ||
          recommendations.has(element) ||
          isControlOrLeakedValue(element) ||
          isPriceLabel(element)) &&
        !isItemPart(element) &&
        ((PAGE_REGION.furnitureTags.has(element.name) && !PAGE_REGION.wrapperTags.has(element.name)) ||
          !isLayoutWrapper(element));
      skipped.set(element, answer);
    }
    return answer;
  };
  const echoes = echoedTexts(region, isLeftOut);
  const skip = (element: Element) => isLeftOut(element) || echoes.has(element);
  const text = toPlainText([region], { skip, separateElements: true });
  if (visibleLength(text) < PAGE_REGION.minChars) return undefined;
  const head = findFirst(root, 'head');
  const baseUrl = resolveDocumentBase(
    head ? findFirst(head, 'base')?.attribs.href : undefined,
    options.pageUrl,
  );
  const html = sanitizeToHtml([region], { baseUrl, skip });
  return { html, text, wordCount: countWords(text) };
}

/** The <main> (or role=main) element with the most text, unless it holds only a small part of the page. */
function mainRegion(body: AnyNode): AnyNode {
  const mains = elementsInOrder(body, (element) => NON_CONTENT_TAGS.has(element.name)).filter(
    (element) => element.name === 'main' || element.attribs.role === 'main',
  );
  if (mains.length === 0) return body;
  const length = (node: AnyNode) =>
    visibleLength(toPlainText([node], { skip: (element) => isFurniture(element, false) }));
  let best = mains[0]!;
  let bestLength = length(best);
  for (const candidate of mains.slice(1)) {
    const candidateLength = length(candidate);
    if (candidateLength > bestLength) {
      best = candidate;
      bestLength = candidateLength;
    }
  }
  return bestLength >= length(body) * PAGE_REGION.minMainShare ? best : body;
}

/** Visible length of the text outside links, scripts and styles: what a layout wrapper holds and a menu does not. */
function unlinkedLength(root: AnyNode): number {
  return readableLength(root, false);
}

/** Visible length of the text outside scripts and styles, with or without the text of links. */
function readableLength(root: AnyNode, withLinks: boolean): number {
  let length = 0;
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') length += visibleLength((node as unknown as { data: string }).data);
    else if (isElement(node) && ((!withLinks && node.name === 'a') || NON_CONTENT_TAGS.has(node.name)))
      continue;
    else if (hasChildren(node)) for (const child of node.children) stack.push(child);
  }
  return length;
}

/** A <header> inside an <article>: the item's own heading, not the page's. */
function isItemPart(element: Element): boolean {
  if (!PAGE_REGION.itemPartTags.has(element.name)) return false;
  for (let parent = element.parent; parent; parent = parent.parent) {
    if (isElement(parent) && parent.name === 'article') return true;
  }
  return false;
}

function isFurniture(element: Element, revealPanels: boolean): boolean {
  if (PAGE_REGION.furnitureTags.has(element.name)) return true;
  const attributes = element.attribs;
  if (attributes.hidden !== undefined || attributes['aria-hidden'] === 'true')
    return !(revealPanels && REVEALED_PANEL_ROLES.has(attributes.role?.toLowerCase() ?? ''));
  const raw = `${attributes.class ?? ''} ${attributes.id ?? ''} ${attributes.role ?? ''}`;
  if (raw.length >= PAGE_REGION.maxClassChars) return false;
  // Utility tokens ("top-[var(--nav-height)]", "lg:hidden") style the element; they do not name its role.
  const words = `${semanticClass(element)} ${attributes.id ?? ''} ${attributes.role ?? ''}`;
  return PAGE_REGION.furnitureClass.test(words) || PAGE_REGION.pageHeaderToken.test(words);
}

/**
 * Links and buttons whose short text most items of a list repeat exactly ("Add to cart", "Read more", "Compare",
 * "More in this category"): the list's interface, not its items; links that all lead to one address (a tag) are
 * data. Items are sibling elements of one tag and first
 * class; table rows are data, whatever repeats in them.
 */
function repeatedItemActions(region: AnyNode): Set<Element> {
  const labels = new Set<Element>();
  for (const parent of elementsInOrder(region, (element) => NON_CONTENT_TAGS.has(element.name))) {
    if (PAGE_REGION.itemActions.tableTags.has(parent.name)) continue;
    for (const group of childrenByShape(parent).values()) {
      if (group.length < PAGE_REGION.itemActions.minItems) continue;
      const labelsByText = labelsAcrossItems(
        group,
        (item) =>
          elementsInOrder(
            item,
            (element) => NON_CONTENT_TAGS.has(element.name),
            PAGE_REGION.itemActions.maxScan,
          ),
        (inner) => (isAction(inner) ? shortLabel(inner) : undefined),
      );
      const minItems = Math.max(
        PAGE_REGION.itemActions.minItems,
        group.length * PAGE_REGION.itemActions.minShare,
      );
      for (const { items, elements } of labelsByText.values()) {
        if (items.size < minItems) continue;
        // Links that all lead to one address are the items' shared tag or category: data, kept.
        const targets = new Set(elements.map((element) => element.attribs.href ?? ''));
        if (targets.size === 1 && elements[0]!.attribs.href) continue;
        for (const element of elements) labels.add(element);
      }
    }
  }
  return labels;
}

function isAction(element: Element): boolean {
  return element.name === 'a' || element.name === 'button' || element.attribs.role === 'button';
}

/** The element's text, collapsed and lower-cased, when it is short and has a letter; otherwise undefined. */
function shortLabel(element: Element): string | undefined {
  const collapsed = collapsedTextWithin(element, PAGE_REGION.itemActions.maxChars * 4, (inner) =>
    NON_CONTENT_TAGS.has(inner.name),
  );
  if (collapsed === undefined) return undefined;
  return HAS_LETTER.test(collapsed) && collapsed.length <= PAGE_REGION.itemActions.maxChars
    ? collapsed
    : undefined;
}

/**
 * The boxes led by a heading whose text `pattern` matches (PAGE_REGION.recommendationHeading): from the heading
 * up through every ancestor it leads (no text before it) while the ancestor holds less than maxHeadedBoxShare of
 * the region's text. A heading that leads no box goes with its following siblings up to the next heading.
 */
function boxesLedBy(region: AnyNode, regionText: number, pattern: RegExp): Set<Element> {
  const boxes = new Set<Element>();
  const limit = regionText * PAGE_REGION.maxHeadedBoxShare;
  const isHeading = (element: Element) =>
    PAGE_REGION.headingTags.has(element.name) || element.attribs.role === 'heading';
  for (const heading of elementsInOrder(region, (element) => NON_CONTENT_TAGS.has(element.name))) {
    if (!isHeading(heading)) continue;
    const text = collapsedTextWithin(heading, PAGE_REGION.maxHeadingChars, (inner) =>
      NON_CONTENT_TAGS.has(inner.name),
    );
    if (text === undefined || !pattern.test(text)) continue;
    let box: Element = heading;
    for (let parent = box.parent; parent && parent !== region && isElement(parent); parent = parent.parent) {
      if (!leadsParent(box) || readableLength(parent, true) >= limit) break;
      box = parent;
    }
    boxes.add(box);
    if (box !== heading) continue;
    for (let next = box.next; next; next = next.next) {
      if (!isElement(next)) continue;
      if (isHeading(next) || elementsInOrder(next, undefined, PAGE_REGION.maxHeadingScan).some(isHeading))
        break;
      boxes.add(next);
    }
  }
  return boxes;
}

/** Whether no text comes before the element inside its parent. */
function leadsParent(element: Element): boolean {
  for (let previous = element.prev; previous; previous = previous.prev) {
    if (readableLength(previous, true) > 0) return false;
  }
  return true;
}

/** A price's label for screen readers (PAGE_REGION.priceLabel). */
function isPriceLabel(element: Element): boolean {
  const { screenReaderClass, maxChars, maxLevels, maxBlockChars } = PAGE_REGION.priceLabel;
  const className = element.attribs.class;
  if (className === undefined || className.length >= PAGE_REGION.maxClassChars) return false;
  if (!screenReaderClass.test(className)) return false;
  // Read in a line of text, or in place of a part drawn for the eye only ("/mo." read as "per month"), it is words.
  for (const before of [true, false]) {
    let sibling = before ? element.prev : element.next;
    while (sibling?.type === 'text' && (sibling as unknown as { data: string }).data.trim() === '') {
      sibling = before ? sibling.prev : sibling.next;
    }
    if (sibling?.type === 'text') return false;
    if (sibling && isElement(sibling) && sibling.attribs['aria-hidden'] === 'true') return false;
  }
  // Markup around a label is indented: the raw text may be several times the collapsed one.
  const label = collapsedTextWithin(element, maxChars * 4);
  if (label === undefined || label.length > maxChars || /\d/.test(label)) return false;
  let block: AnyNode | null = element.parent;
  for (let level = 0; level < maxLevels && block && isElement(block); level++, block = block.parent) {
    const text = collapsedTextWithin(block, maxBlockChars * 4, (inner) => NON_CONTENT_TAGS.has(inner.name));
    if (text === undefined || text.length > maxBlockChars) return false;
    if (PRICE_TEXT.test(text)) return true;
  }
  return false;
}

/** Whether a text (collapsed, lower-cased) is one of the page's controls (PAGE_REGION.interfaceLabel). */
export function isInterfaceLabel(collapsed: string): boolean {
  const { maxChars, patterns } = PAGE_REGION.interfaceLabel;
  return collapsed.length <= maxChars && patterns.some((pattern) => pattern.test(collapsed));
}

/**
 * Whether the element's whole text, standing alone, is one of the page's controls (PAGE_REGION.interfaceLabel), a
 * web address printed outside any link or code (PAGE_REGION.bareUrl), or a block of page furniture in any language
 * (the generic extraction's BOILERPLATE_TEXT_ANY_LANGUAGE: cookie and newsletter notices, copyright lines, pagers).
 * One bounded read answers all three.
 */
function isControlOrLeakedValue(element: Element): boolean {
  if (PAGE_REGION.codeTags.has(element.name)) return false;
  // A link inside a sentence ("<a>Read more</a> in the archive") is part of the sentence.
  for (const sibling of [element.prev, element.next]) {
    if (sibling?.type === 'text' && HAS_LETTER.test((sibling as unknown as { data: string }).data))
      return false;
  }
  let linked = element.name === 'a';
  let code = false;
  const asWritten = collapsedTextWithin(
    element,
    PAGE_REGION.maxUrlChars,
    (inner) => {
      if (inner.name === 'a') linked = true;
      if (PAGE_REGION.codeTags.has(inner.name)) code = true;
      return NON_CONTENT_TAGS.has(inner.name);
    },
    true,
  );
  if (code || asWritten === undefined || asWritten.length === 0) return false;
  const collapsed = asWritten.toLowerCase();
  if (!linked && PAGE_REGION.bareUrl.test(collapsed)) return true;
  if (isInterfaceLabel(collapsed)) return true;
  // The agency-initials pattern reads letter case: the text as written.
  return asWritten.length <= BOILERPLATE_TEXT_MAX_CHARS && isBoilerplateText(asWritten);
}

/**
 * Elements whose only text repeats the previous text kept in the region (PAGE_REGION.minEchoChars), or a heading's
 * text the region showed in a heading before (PAGE_REGION.minRepeatChars), word for word: the second and later copies.
 * A card shown again in another list of the page goes whole, its byline and date with its title (cardOfHeading); in
 * the list that showed it first, only the title goes (the same job posted twice is two postings). Texts in tables
 * are data and are never echoes.
 */
function echoedTexts(region: AnyNode, isLeftOut: (element: Element) => boolean): Set<Element> {
  const echoes = new Set<Element>();
  let previous = '';
  let previousPrice = '';
  // Each title shown, with the list that holds its card (the card's parent).
  const shownTitles = new Map<string, AnyNode | null>();
  // Whether an element holds at most one text of its own with more than white space: only then can its whole text
  // be one text node's. Answered once per element, so thousands of texts in one element do not each read it whole.
  const soleTexts = new Map<Element, boolean>();
  const mayHoldOnly = (parent: Element) => {
    let answer = soleTexts.get(parent);
    if (answer === undefined) {
      let worded = 0;
      for (const child of parent.children) {
        if (child.type === 'text' && /\S/.test((child as unknown as { data: string }).data)) worded++;
      }
      answer = worded <= 1;
      soleTexts.set(parent, answer);
    }
    return answer;
  };
  const stack: AnyNode[] = [region];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') {
      const text = (node as unknown as { data: string }).data.replace(/\s+/g, ' ').trim().toLowerCase();
      const parent = node.parent;
      if (!HAS_LETTER.test(text)) {
        if (text === '' || !isPriceAlone(text)) continue;
        // The same price twice with nothing worded between: one price block drawn twice (regular and sale).
        const alone =
          parent && isElement(parent) && parent !== region && !insideTable(parent) && mayHoldOnly(parent);
        if (text === previousPrice && alone && collapsedTextWithin(parent, text.length * 2 + 100) === text)
          echoes.add(parent);
        previousPrice = text;
        continue;
      }
      previousPrice = '';
      const heading = text.length >= PAGE_REGION.minRepeatChars ? headingAround(node, region) : undefined;
      const shownIn = heading ? shownTitles.get(text) : undefined;
      const repeated =
        (text === previous && text.length >= PAGE_REGION.minEchoChars) || shownIn !== undefined;
      if (
        repeated &&
        parent &&
        isElement(parent) &&
        parent !== region &&
        !insideTable(parent) &&
        mayHoldOnly(parent) &&
        collapsedTextWithin(parent, text.length * 2 + 100, (inner) => NON_CONTENT_TAGS.has(inner.name)) ===
          text
      ) {
        const card = heading && shownIn !== undefined ? cardOfHeading(heading, region) : undefined;
        echoes.add(card && card.parent !== shownIn ? card : parent);
      }
      previous = text;
      // Only a heading is a card's title: a table of contents lists the headings that follow it, and they are kept.
      if (heading && !shownTitles.has(text)) shownTitles.set(text, cardOfHeading(heading, region).parent);
    } else if (isElement(node) && node !== region && (NON_CONTENT_TAGS.has(node.name) || isLeftOut(node))) {
    } else if (hasChildren(node)) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  return echoes;
}

/** Whether the text is one price and nothing else ("$19.99", "19,99 €"). */
function isPriceAlone(text: string): boolean {
  return PRICE_TEXT.test(text) && text.replace(EVERY_PRICE, '').trim() === '';
}

/** The heading element (below the region) that holds the text node, if any. */
function headingAround(node: AnyNode, region: AnyNode): Element | undefined {
  for (let parent = node.parent; parent && parent !== region; parent = parent.parent) {
    if (isElement(parent) && PAGE_REGION.headingTags.has(parent.name)) return parent;
  }
  return undefined;
}

/**
 * The card a heading titles: its largest ancestor below the region that holds no other heading and at most
 * PAGE_REGION.maxCardChars of text (a title with its teaser, byline and date).
 */
function cardOfHeading(heading: Element, region: AnyNode): Element {
  let card = heading;
  for (let parent = card.parent; parent && parent !== region && isElement(parent); parent = parent.parent) {
    const skip = (inner: Element) => NON_CONTENT_TAGS.has(inner.name);
    // Elements first: that scan is bounded, while the text read is bounded by characters only and would walk
    // thousands of empty elements again for each heading.
    const inside = elementsInOrder(parent, skip, PAGE_REGION.maxCardElements + 1);
    if (inside.length > PAGE_REGION.maxCardElements) break;
    if (collapsedTextWithin(parent, PAGE_REGION.maxCardChars, skip) === undefined) break;
    if (inside.filter((element) => PAGE_REGION.headingTags.has(element.name)).length > 1) break;
    card = parent;
  }
  return card;
}

function insideTable(element: Element): boolean {
  for (let node: AnyNode | null = element; node; node = node.parent) {
    if (isElement(node) && PAGE_REGION.itemActions.tableTags.has(node.name)) return true;
  }
  return false;
}
