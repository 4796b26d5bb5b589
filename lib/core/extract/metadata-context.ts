// Where an element sits on the page, for the byline and dateline readers: inside the page's own article, or in a
// comment, a sidebar, a footer or another widget whose names and dates are not the page's.
import type { Element } from 'domhandler';
import { ancestorsOf, type PageIndex } from './metadata-dom.ts';

/** Whole class/id tokens only: utility classes such as "md:[grid-area:sidebar]" name a layout slot, not a widget. */
const UNLIKELY_BYLINE_TOKEN =
  /^(?:[a-z0-9]+[-_])*(?:comments?|related|footer|sidebar|widgets?|testimonials?|reviews)(?:[-_][a-z0-9]+)*$/i;
/**
 * Tokens that describe the layout around the content rather than a widget: "cs-sidebar-enabled", "has-sidebar",
 * "elementor-widget-container" (page builders wrap every block, the article's own too, in such classes).
 */
const LAYOUT_STATE_TOKEN =
  /^(?:has|no|with|without)[-_]|[-_](?:enabled|disabled|container|wrap|wrapper|populated|layout|inner)$|^[a-z0-9]+[-_]widget(?:[-_][a-z0-9]+)*$/i;
function hasUnlikelyBylineToken(value: string): boolean {
  return value
    .split(/\s+/)
    .some((token) => UNLIKELY_BYLINE_TOKEN.test(token) && !LAYOUT_STATE_TOKEN.test(token));
}

/** A footer inside an article or main holds the post's own metadata (author box, dates), not the site's. */
export function isInsideArticle(element: Element): boolean {
  return ancestorsOf(element, 30).some((ancestor) => ancestor.name === 'article' || ancestor.name === 'main');
}

/** The h1s whose containers are the page's layout (a site-name h1 in the header, then the article's headline). */
const HEADLINES_FOR_LAYOUT = 8;

/** The elements that hold the page's first h1: layout around the whole article, never a widget around a byline. */
export function headlineAncestors(page: PageIndex): Set<Element> {
  let aroundHeadline = page.memo.headlineAncestors;
  if (aroundHeadline === undefined) {
    // Every h1's: the first may be the site's name in the header, the article's headline comes later.
    aroundHeadline = new Set(
      page.headings
        .filter((heading) => heading.name === 'h1')
        .slice(0, HEADLINES_FOR_LAYOUT)
        .flatMap((headline) => ancestorsOf(headline, 100)),
    );
    page.memo.headlineAncestors = aroundHeadline;
  }
  return aroundHeadline;
}

export function insideUnlikelyBylineContext(
  element: Element,
  page: PageIndex,
  asideIsUnlikely = true,
): boolean {
  // body and html classes describe the whole page ("sidebar-primary" layouts), not the byline's neighbourhood;
  // so do those of an element that holds the headline too ("flex-wrap-footer" around the whole page).
  const layout = headlineAncestors(page);
  return ancestorsOf(element).some(
    (ancestor) =>
      (ancestor.name !== 'body' &&
        ancestor.name !== 'html' &&
        !layout.has(ancestor) &&
        hasUnlikelyBylineToken(`${ancestor.attribs.class ?? ''} ${ancestor.attribs.id ?? ''}`)) ||
      (ancestor.name === 'footer' && !isInsideArticle(ancestor)) ||
      (asideIsUnlikely && (ancestor.name === 'aside' || ancestor.attribs.role === 'complementary')),
  );
}
