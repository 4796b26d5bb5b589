// Forum threads: the posts are the content. The generic extractor picks the one container with the most prose,
// which on a thread is a single post (or the first one); here every post of the thread is kept, in order,
// without the furniture around each (user panels, signatures, vote and reply buttons).
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { resolveDocumentBase } from '../../url.ts';
import { NON_CONTENT_TAGS } from '../boilerplate.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import { findFirst, visibleLength } from '../content-dom.ts';
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
} as const;

/** The thread's posts as content, or undefined when the page has no clear thread (then use extractContent). */
export function extractForumThread($: CheerioAPI, options: ContentOptions): ExtractedContent | undefined {
  const root = $.root()[0] as AnyNode;
  const body = findFirst(root, 'body') ?? root;
  const posts = findThreadPosts(body);
  if (posts.length < FORUM_THREAD.minPosts) return undefined;
  const skip = (element: Element) => {
    if (NON_CONTENT_TAGS.has(element.name)) return true;
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
