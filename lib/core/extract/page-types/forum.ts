// Forum threads: the posts are the content. The generic extractor picks the one container with the most prose,
// which on a thread is a single post (or the first one); here every post of the thread is kept, in order,
// without the furniture around each (user panels, signatures, vote and reply buttons).
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { resolveDocumentBase } from '../../url.ts';
import { NON_CONTENT_TAGS } from '../boilerplate.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import { elementsInOrder, findFirst, hasChildren, visibleLength } from '../content-dom.ts';
import { findThreadPosts } from '../page-type.ts';
import { sanitizeToHtml } from '../sanitize.ts';
import { countWords, toPlainText } from '../text.ts';

export const FORUM_THREAD = {
  /** Fewer posts than this: not a thread we can trust; the generic extraction runs instead. */
  minPosts: 2,
  /** Less text than this in all posts together: the generic extraction runs instead. */
  minChars: 200,
  /** The parts of a post that are not what its author wrote. */
  postFurniture:
    /(?:^|[\s_-])(?:signature|sig|user-?info|userinfo|user-?details|postleft|postprofile|avatar|author-?info|post-?actions?|post-?menu|post-?controls|post-?footer|reactions?|votes?|vote-?cell|share|reply-?button|quote-?button|like-?button|report|badges?|user-?stats|postfoot|post-?meta|js-post-menu)(?:$|[\s_-])/i,
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
  const skip = (element: Element) => {
    if (NON_CONTENT_TAGS.has(element.name) || repeated.has(element)) return true;
    const classes = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`;
    return classes.length < 300 && FORUM_THREAD.postFurniture.test(classes);
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
  const postsByText = new Map<string, Set<number>>();
  const elementsByText = new Map<string, Element[]>();
  posts.forEach((post, index) => {
    for (const element of elementsInOrder(post, (inner) => NON_CONTENT_TAGS.has(inner.name))) {
      if (element === post) continue;
      const text = shortText(element);
      if (text === undefined) continue;
      const seen = postsByText.get(text) ?? new Set<number>();
      seen.add(index);
      postsByText.set(text, seen);
      const elements = elementsByText.get(text) ?? [];
      elements.push(element);
      elementsByText.set(text, elements);
    }
  });
  const minPosts = Math.max(FORUM_THREAD.minRepeatedPosts, posts.length * FORUM_THREAD.repeatedShare);
  const repeated = new Set<Element>();
  for (const [text, seen] of postsByText) {
    if (seen.size >= minPosts) for (const element of elementsByText.get(text)!) repeated.add(element);
  }
  return repeated;
}

/**
 * An element's text, collapsed and lower-cased, every number standing alone as "#" ("563 posts" and "12 posts"
 * are one label; "member2" stays a name), when it is short and not empty; otherwise undefined.
 */
function shortText(element: Element): string | undefined {
  let text = '';
  const stack: AnyNode[] = [element];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') {
      text += (node as unknown as { data: string }).data;
      if (text.length > FORUM_THREAD.maxRepeatedChars * 4) return undefined;
    } else if (hasChildren(node)) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  const collapsed = text
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/\b\d[\d,.]*\b/g, '#');
  return collapsed.length > 0 && collapsed.length <= FORUM_THREAD.maxRepeatedChars ? collapsed : undefined;
}
