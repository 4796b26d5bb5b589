// Forum threads: the posts are the content. The generic extractor picks the one container with the most prose,
// which on a thread is a single post (or the first one); here every post of the thread is kept, in order,
// without the furniture around each (user panels, signatures, vote and reply buttons).
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { resolveDocumentBase } from '../../url.ts';
import { NON_CONTENT_TAGS } from '../boilerplate.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import { elementsInOrder, findFirst, hasChildren, textContent, visibleLength } from '../content-dom.ts';
import { findThreadPosts } from '../page-type.ts';
import { sanitizeToHtml } from '../sanitize.ts';
import { countWords, toPlainText } from '../text.ts';
import { collapsedTextWithin, labelsAcrossItems } from './repeats.ts';

export const FORUM_THREAD = {
  /** Fewer posts than this: not a thread we can trust; the generic extraction runs instead. */
  minPosts: 2,
  /** Less text than this in all posts together: the generic extraction runs instead. */
  minChars: 200,
  /**
   * The parts of a post that are not what its author wrote, matched on class and id words with camelCase split
   * ('message-userExtras' reads 'message-user-Extras', 'cAuthorPane' 'c-Author-Pane').
   */
  postFurniture:
    /(?:^|[\s_-])(?:signature|sig|user-?info|userinfo|(?:user|author|member|poster)-?(?:details|extras|stats|title|pane|panel|card|badges?)|postleft|postprofile|avatar|author-?info|post-?actions?|post-?menu|post-?controls|post-?footer|reactions?|reactions?-?bar|votes?|vote-?cell|share|reply-?button|quote-?button|like-?button|report|badges?|action-?bar|postfoot|post-?meta|js-post-menu)(?:$|[\s_-])/i,
  /**
   * Tags that inside a post hold its frame, not its text: the author's side panel (<aside>), the date and
   * number line (<header>), the reactions and buttons (<footer>).
   */
  postFurnitureTags: new Set(['aside', 'header', 'footer', 'nav', 'form', 'button', 'menu']),
  /**
   * A <blockquote> beside the reply's own text is a quote of an earlier post (on the page already) or of a
   * source; one standing alone in its parent is the post's body, as some forum engines mark it up.
   */
  minReplyCharsBesideQuote: 1,
  /**
   * A short text (at most this many characters, numbers aside) found in at least `repeatedShare` of the
   * posts, and in at least `minRepeatedPosts` of them, is the forum's interface (ranks, "1,024 posts", join
   * dates, buttons), not what the authors wrote.
   */
  maxRepeatedChars: 60,
  repeatedShare: 0.3,
  minRepeatedPosts: 3,
} as const;

/** The thread's posts as content, or undefined when the page has no clear thread (then use extractContent). */
export function extractForumThread($: CheerioAPI, options: ContentOptions): ExtractedContent | undefined {
  const root = $.root()[0] as AnyNode;
  const body = findFirst(root, 'body') ?? root;
  const posts = findThreadPosts(body);
  if (posts.length < FORUM_THREAD.minPosts) return undefined;
  const repeated = repeatedInterface(posts);
  const postSet = new Set<Element>(posts);
  const skip = (element: Element) => {
    if (NON_CONTENT_TAGS.has(element.name) || repeated.has(element)) return true;
    if (postSet.has(element)) return false;
    if (FORUM_THREAD.postFurnitureTags.has(element.name)) return true;
    if (element.name === 'blockquote' && isQuoteBesideReply(element)) return true;
    const classes = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`;
    return classes.length < 300 && FORUM_THREAD.postFurniture.test(splitCamelCase(classes));
  };
  const text = toPlainText(posts, { skip });
  if (visibleLength(text) < FORUM_THREAD.minChars) return undefined;
  const head = findFirst(root, 'head');
  const baseUrl = resolveDocumentBase(
    head ? findFirst(head, 'base')?.attribs.href : undefined,
    options.pageUrl,
  );
  const html = sanitizeToHtml(posts, { baseUrl, skip });
  return { html, text, wordCount: countWords(text) };
}

/** The elements whose whole text recurs in most posts (see FORUM_THREAD.maxRepeatedChars). */
function repeatedInterface(posts: readonly Element[]): Set<Element> {
  const labels = labelsAcrossItems(
    posts,
    (post) => elementsInOrder(post, (inner) => NON_CONTENT_TAGS.has(inner.name)),
    shortText,
  );
  const minPosts = Math.max(FORUM_THREAD.minRepeatedPosts, posts.length * FORUM_THREAD.repeatedShare);
  const repeated = new Set<Element>();
  for (const { items, elements } of labels.values()) {
    if (items.size >= minPosts) for (const element of elements) repeated.add(element);
  }
  return repeated;
}

/**
 * An element's text, collapsed and lower-cased, every number standing alone as "#" ("563 posts" and "12 posts"
 * are one label; "member2" stays a name), when it is short and not empty; otherwise undefined.
 */
function shortText(element: Element): string | undefined {
  const collapsed = collapsedTextWithin(element, FORUM_THREAD.maxRepeatedChars * 4)?.replace(
    /\b\d[\d,.]*\b/g,
    '#',
  );
  if (collapsed === undefined) return undefined;
  return collapsed.length > 0 && collapsed.length <= FORUM_THREAD.maxRepeatedChars ? collapsed : undefined;
}

/** 'userExtras' -> 'user-Extras': class names written in camelCase read as separate words. */
function splitCamelCase(words: string): string {
  return words.replace(/([a-z0-9])([A-Z])/g, '$1-$2');
}

/** A <blockquote> whose parent holds text of its own beside it: a quote inside a reply, not the post's body. */
function isQuoteBesideReply(quote: Element): boolean {
  const parent = quote.parent;
  if (!parent || !hasChildren(parent)) return false;
  let beside = 0;
  for (const sibling of parent.children) {
    if (sibling === quote) continue;
    beside += visibleLength(textContent(sibling));
    if (beside >= FORUM_THREAD.minReplyCharsBesideQuote) return true;
  }
  return false;
}
