// Pages made of several parts (service pages, listings, shop categories, documentation): the content is the
// page's main region as a whole, every section and every list item, minus the page furniture around and inside
// it (navigation, header, footer, sidebars, filters, pagination, forms, cookie and share bars). The generic
// extractor picks the one container with the most prose, which on such a page is one section or one card.
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { resolveDocumentBase } from '../../url.ts';
import { NON_CONTENT_TAGS } from '../boilerplate.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import { elementsInOrder, findFirst, hasChildren, isElement, visibleLength } from '../content-dom.ts';
import { repairTree } from '../content-repair.ts';
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
    /(?:^|[\s_-])(?:nav|navbar|navigation|menu|sidebar|breadcrumbs?|cookies?|consent|modal|popup|newsletter|subscribe|share|social|footer|header|skip|banner|filters?|facets?|pagination|pager|related|recommendations?|recommended|upsells?|cross-?sells?|recently-?viewed)(?:$|[\s_-])/i,
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
} as const;

/**
 * The page's main region minus its furniture (and what `extraFurniture` marks, for a type's own furniture), or
 * undefined when it holds too little text.
 */
export function extractPageRegion(
  $: CheerioAPI,
  options: ContentOptions,
  extraFurniture?: (element: Element) => boolean,
): ExtractedContent | undefined {
  const root = $.root()[0] as AnyNode;
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
  // Asked twice per element (text, then HTML): the answer is kept.
  const skipped = new Map<Element, boolean>();
  const skip = (element: Element) => {
    let answer = skipped.get(element);
    if (answer === undefined) {
      answer =
        (isFurniture(element) || extraFurniture?.(element) === true || labels.has(element)) &&
        !isItemPart(element) &&
        ((PAGE_REGION.furnitureTags.has(element.name) && !PAGE_REGION.wrapperTags.has(element.name)) ||
          !isLayoutWrapper(element));
      skipped.set(element, answer);
    }
    return answer;
  };
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
  const length = (node: AnyNode) => visibleLength(toPlainText([node], { skip: isFurniture }));
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

function isFurniture(element: Element): boolean {
  if (PAGE_REGION.furnitureTags.has(element.name)) return true;
  const attributes = element.attribs;
  if (attributes.hidden !== undefined || attributes['aria-hidden'] === 'true') return true;
  const words = `${attributes.class ?? ''} ${attributes.id ?? ''} ${attributes.role ?? ''}`;
  return words.length < PAGE_REGION.maxClassChars && PAGE_REGION.furnitureClass.test(words);
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
  return /\p{L}/u.test(collapsed) && collapsed.length <= PAGE_REGION.itemActions.maxChars
    ? collapsed
    : undefined;
}
