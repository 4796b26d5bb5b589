// Product pages: the content is what describes the product (its description, features and specifications), which
// sits in the page's main region among the shop's own furniture: the price and buy box, variant pickers, delivery
// and returns notes, galleries, ratings, loyalty offers, other products. Customer reviews and questions are other
// people's words about the product, like comments under an article. All of these are dropped with the region's
// furniture, and a block the page repeats (a description shown again in a tab, a mobile copy of the buy box) is
// kept once.
import type { AnyNode, Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import {
  documentRoot,
  elementsInOrder,
  findFirst,
  hasChildren,
  isElement,
  type ParsedPage,
  textContent,
  visibleLength,
} from '../content-dom.ts';
import { HAS_LETTER } from '../letters.ts';
import { isJsonLdNode, type JsonLdNode, listOf, nodeTypes, parseJsonLd } from '../metadata-jsonld.ts';
import { EVERY_PRICE, PRICE_TEXT } from '../page-type.ts';
import { sanitizeToHtml } from '../sanitize.ts';
import { BLOCK_TAGS, countWords, toPlainText } from '../text.ts';
import { extractPageRegion, PAGE_REGION } from './region.ts';
import { childrenByShape, collapsedTextWithin, wordShareFound } from './repeats.ts';

export const PRODUCT_PAGE = {
  /**
   * Class or id words of customers' words about the product: reviews (lists, widgets, review summaries' panels),
   * testimonials, and customers' questions and answers ("qna", "questions-and-answers").
   */
  reviewClass: /(?:^|[\s_-])(?:reviews?|testimonials?|qna|questions-and-answers)(?:$|[\s_-])/i,
  /**
   * Class or id words of the shop's furniture around the product: price and buy box parts, variant pickers and
   * purchase options, offers (other conditions, bundles, memberships), delivery, returns and payment notes, the
   * shop's selling points ("usp": free delivery, price match), ratings, stock, loyalty and financing offers, other
   * products, and hover bubbles (popovers, tooltips: help shown only on pointing).
   */
  commerceClass:
    /(?:^|[\s_-])(?:prices?|pricing|ratings?|stars|swatch(?:es)?|variants?|options?|offers?|quantity|qty|wishlist|cart|checkout|shipping|delivery|returns?|payments?|badges?|stock|availability|promo|promotions?|sponsored|similar|also-?viewed|also-?bought|recently|loyalty|rewards?|financing|installments?|usps?|popovers?|tooltips?)(?:$|[\s_-])/i,
  /** A text at most this long that is a price and its labels ("Sale price $19.99") is the buy box's. */
  maxPriceLineChars: 60,
  /**
   * Words and currency codes that label a price; what is left of a price line without them and its prices has
   * no letters.
   */
  priceLabels:
    /\b(?:regular|sale|original|list|unit|our|your|price|prices|from|now|was|only|each|per|incl|excl|inc|vat|tax|taxes|included|rrp|msrp|save)\b/gi,
  currencyCode: /\b[A-Z]{3}\b/g,
  /** A block (not a label) with at least this much text that repeats an earlier block exactly is kept once. */
  minRepeatedChars: 10,
  /** Text read per element to compare blocks; longer blocks are compared by this prefix and their length. */
  maxComparedChars: 4000,
  /**
   * Sibling cards (same tag and first class) each with a link and a price, at least this many: other products
   * (also viewed, similar items, bundles), not this one.
   */
  minOtherProducts: 3,
  /**
   * A field of the shop's data printed raw in a definition list: a <dt> whose name is an identifier
   * ("retail_price_tier1:", "cat_thumb_Bone"), or whose <dd> is a bare web address; the name and its value go.
   */
  rawFieldName: /^[\p{L}\p{N}]+(?:_[\p{L}\p{N}]+)+:?$/u,
  maxFieldChars: 100,
  /** Elements looked at inside one card for its link and price. */
  maxCardScan: 200,
  /** Priced cards holding this share of the page's text are the page's own list (a shop category), kept. */
  maxOtherProductsShare: 0.4,
  /**
   * The product's own description as its JSON-LD declares it (a Product's "description"), at least this long, of
   * which the extracted text holds less than maxDeclaredShareFound of the words: the page shows it in a drawer, a
   * dialog or a script-drawn block the region leaves out. It is content, and goes first.
   */
  minDeclaredChars: 80,
  maxDeclaredShareFound: 0.5,
  /** schema.org types of a product (page-type.ts files the page by the same ones). */
  productTypes: new Set(['product', 'productgroup', 'individualproduct', 'productmodel', 'vehicle', 'car']),
  /** JSON-LD scripts read, their longest text, and nodes visited, at most. */
  maxJsonLdScripts: 20,
  maxJsonLdChars: 500_000,
  maxJsonLdNodes: 200,
} as const;

/**
 * The product page's main region without the shop's furniture; undefined when too little is left, empty when
 * the region holds too little even with the furniture.
 */
export function extractProductPage($: ParsedPage, options: ContentOptions): ExtractedContent | undefined {
  const root = documentRoot($);
  const otherProducts = pricedCards(findFirst(root, 'body') ?? root);
  const seen = new Map<string, Element>();
  const content = extractPageRegion($, options, (element) => {
    if (isShopFurniture(element) || otherProducts.has(element) || isRawDataField(element)) return true;
    const text = blockText(element);
    if (text === undefined) return false;
    if (text.length <= PRODUCT_PAGE.maxPriceLineChars && isPriceLine(text)) return true;
    // A label ("Fabric Content:") repeats in each column of a comparison: its values differ.
    if (text.length < PRODUCT_PAGE.minRepeatedChars || !BLOCK_TAGS.has(element.name) || text.endsWith(':')) {
      return false;
    }
    const earlier = seen.get(text);
    if (earlier === undefined) {
      seen.set(text, element);
      return false;
    }
    return !isAncestor(earlier, element);
  });
  if (content !== undefined) return withDeclaredDescription(root, content, options);
  // Too little even with the shop's furniture: a page whose description is drawn by scripts. The generic text
  // would be the footer's link lists; the page has no content. Otherwise the generic extraction runs.
  return extractPageRegion($, options) === undefined ? { html: '', text: '', wordCount: 0 } : undefined;
}

/** A <dt> or <dd> of a raw data field (PRODUCT_PAGE.rawFieldName). */
function isRawDataField(element: Element): boolean {
  if (element.name !== 'dt' && element.name !== 'dd') return false;
  let name: Element | null = element;
  if (element.name === 'dd') {
    name = null;
    for (let previous = element.prev; previous; previous = previous.prev) {
      if (isElement(previous)) {
        name = previous.name === 'dt' ? previous : null;
        break;
      }
    }
    if (name === null) return false;
  }
  const label = collapsedTextWithin(name, PRODUCT_PAGE.maxFieldChars, undefined, true);
  if (label !== undefined && PRODUCT_PAGE.rawFieldName.test(label)) return true;
  let value: AnyNode | null = name.next;
  while (value && !isElement(value)) value = value.next;
  if (!value || !isElement(value) || value.name !== 'dd') return false;
  const address = collapsedTextWithin(value, PAGE_REGION.maxUrlChars, undefined, true);
  return address !== undefined && PAGE_REGION.bareUrl.test(address);
}

function isShopFurniture(element: Element): boolean {
  const attributes = element.attribs;
  const words = `${attributes.class ?? ''} ${attributes.id ?? ''}`;
  return (
    words.length < PAGE_REGION.maxClassChars &&
    (PRODUCT_PAGE.reviewClass.test(words) || PRODUCT_PAGE.commerceClass.test(words))
  );
}

function isPriceLine(text: string): boolean {
  if (!PRICE_TEXT.test(text)) return false;
  const rest = text
    .replace(EVERY_PRICE, ' ')
    .replace(PRODUCT_PAGE.priceLabels, ' ')
    .replace(PRODUCT_PAGE.currencyCode, ' ');
  return !HAS_LETTER.test(rest);
}

/** The element's text, spaces collapsed, cut at maxComparedChars (with its full length appended). */
function blockText(element: Element): string | undefined {
  const parts: string[] = [];
  let length = 0;
  let total = 0;
  const stack: AnyNode[] = [element];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') {
      const data = (node as unknown as { data: string }).data;
      total += data.length;
      if (length < PRODUCT_PAGE.maxComparedChars) {
        parts.push(data);
        length += data.length;
      }
    } else if (isElement(node) && (node.name === 'script' || node.name === 'style')) {
    } else if (hasChildren(node)) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  const text = parts.join(' ').replace(/\s+/g, ' ').trim();
  if (text.length === 0) return undefined;
  return total > PRODUCT_PAGE.maxComparedChars
    ? `${text.slice(0, PRODUCT_PAGE.maxComparedChars)}#${total}`
    : text;
}

function isAncestor(ancestor: Element, node: AnyNode): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) if (parent === ancestor) return true;
  return false;
}

/** Cards of other products: sibling groups (same tag and first class) whose members each hold a link and a price. */
function pricedCards(body: AnyNode): Set<Element> {
  const cards = new Set<Element>();
  const pageChars = visibleLength(textContent(body));
  for (const parent of elementsInOrder(body)) {
    let elementChildren = 0;
    for (const child of parent.children) if (isElement(child)) elementChildren++;
    if (elementChildren < PRODUCT_PAGE.minOtherProducts) continue;
    for (const group of childrenByShape(parent).values()) {
      if (group.length < PRODUCT_PAGE.minOtherProducts) continue;
      const priced = group.filter(hasLinkAndPrice);
      if (priced.length < PRODUCT_PAGE.minOtherProducts || priced.length * 2 < group.length) continue;
      const held = priced.reduce((sum, card) => sum + visibleLength(textContent(card)), 0);
      if (held < pageChars * PRODUCT_PAGE.maxOtherProductsShare) for (const card of priced) cards.add(card);
    }
  }
  return cards;
}

function hasLinkAndPrice(card: Element): boolean {
  let link = card.name === 'a' && card.attribs.href !== undefined;
  let price = false;
  for (const inner of elementsInOrder(card, undefined, PRODUCT_PAGE.maxCardScan)) {
    if (inner.name === 'a' && inner.attribs.href !== undefined) link = true;
    if (!price) {
      for (const child of inner.children) {
        if (child.type === 'text' && PRICE_TEXT.test((child as unknown as { data: string }).data))
          price = true;
      }
    }
    if (link && price) return true;
  }
  return false;
}

/**
 * The content with the product's declared description (PRODUCT_PAGE.minDeclaredChars) put first when the content
 * holds less than maxDeclaredShareFound of its words.
 */
function withDeclaredDescription(
  root: AnyNode,
  content: ExtractedContent,
  options: ContentOptions,
): ExtractedContent {
  const declared = declaredDescription(root);
  if (declared === undefined) return content;
  const fragment = parseDocument(declared, { decodeEntities: true });
  const text = toPlainText(fragment.children);
  if (text.length < PRODUCT_PAGE.minDeclaredChars) return content;
  if (wordShareFound(text, content.text) >= PRODUCT_PAGE.maxDeclaredShareFound) return content;
  const html = sanitizeToHtml(fragment.children, { baseUrl: options.pageUrl });
  return {
    html: `${html}\n${content.html}`,
    text: `${text}\n\n${content.text}`,
    wordCount: countWords(text) + content.wordCount,
  };
}

/**
 * The longest "description" of a product node among the page's JSON-LD main nodes (top level, @graph, a
 * WebPage's mainEntity), as HTML: a plain-text description's lines become paragraphs; a percent-encoded one
 * (no spaces, "%20" between words) is decoded.
 */
function declaredDescription(root: AnyNode): string | undefined {
  const nodes: JsonLdNode[] = [];
  let scripts = 0;
  for (const script of elementsInOrder(root)) {
    if (script.name !== 'script' || !/^\s*application\/ld\+json\s*$/i.test(script.attribs.type ?? ''))
      continue;
    if (++scripts > PRODUCT_PAGE.maxJsonLdScripts) break;
    const source = textContent(script);
    if (source.length > PRODUCT_PAGE.maxJsonLdChars) continue;
    for (const value of listOf(parseJsonLd(source))) collectMainNodes(value, nodes, 0);
  }
  let best: string | undefined;
  for (const node of nodes) {
    if (!nodeTypes(node).some((type) => PRODUCT_PAGE.productTypes.has(type))) continue;
    const description = node.description;
    if (typeof description === 'string' && description.length > (best?.length ?? 0)) best = description;
  }
  if (best === undefined) return undefined;
  if (!/\s/.test(best.trim()) && /%20/.test(best)) {
    try {
      best = decodeURIComponent(best);
    } catch {
      return undefined;
    }
  }
  if (/<[a-z][^>]*>/i.test(best)) return best;
  return best
    .split(/\n\s*\n?/)
    .filter((line) => line.trim() !== '')
    .map((line) => `<p>${line.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
    .join('');
}

function collectMainNodes(value: unknown, out: JsonLdNode[], depth: number): void {
  if (depth > 3 || out.length >= PRODUCT_PAGE.maxJsonLdNodes || !isJsonLdNode(value)) return;
  if (value['@type'] !== undefined) out.push(value);
  for (const child of listOf(value['@graph'])) collectMainNodes(child, out, depth + 1);
  if (nodeTypes(value).some((type) => type.endsWith('page'))) {
    for (const child of listOf(value.mainEntity)) collectMainNodes(child, out, depth + 1);
  }
}
