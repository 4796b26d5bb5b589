// Forum threads: the posts are the content. The generic extractor picks the one container with the most prose,
// which on a thread is a single post (or the first one); here every post of the thread is kept, in order,
// without the furniture around each (user panels, signatures, vote and reply buttons).
import { type AnyNode, type ChildNode, Element, Text } from 'domhandler';
import { resolveDocumentBase } from '../../url.ts';
import { NON_CONTENT_TAGS } from '../boilerplate.ts';
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
import { HAS_LETTER_OR_DIGIT } from '../letters.ts';
import { findThreadPosts } from '../page-type.ts';
import { sanitizeToHtml } from '../sanitize.ts';
import { countWords, toPlainText } from '../text.ts';
import { collapsedTextWithin, labelsAcrossItems, WORD } from './repeats.ts';

export const FORUM_THREAD = {
  /** Fewer posts than this: not a thread we can trust; the generic extraction runs instead. */
  minPosts: 2,
  /** Less text than this in all posts together: the generic extraction runs instead. */
  minChars: 200,
  /**
   * The parts of a post that are not what its author wrote, matched on class and id words with camelCase split
   * ('message-userExtras' reads 'message-user-Extras', 'cAuthorPane' 'c-Author-Pane'). A 'comments' block inside
   * a post is the remarks under it (a Q&A site's comments on a question or an answer), not a post of the thread;
   * a thread whose posts are comments keeps them, as the posts' own wrapper is never skipped.
   */
  postFurniture:
    /(?:^|[\s_-])(?:signature|sig|user-?info|userinfo|(?:user|author|member|poster)-?(?:details|extras|stats|title|pane|panel|card|badges?)|postleft|postprofile|avatar|author-?info|post-?actions?|post-?menu|post-?controls|post-?footer|reactions?|reactions?-?bar|votes?|vote-?cell|share|reply-?button|quote-?button|like-?button|report|badges?|action-?bar|postfoot|post-?meta|js-post-menu|comments)(?:$|[\s_-])/i,
  /**
   * Tags that inside a post hold its frame, not its text: the author's side panel (<aside>), the date and
   * number line (<header>), the reactions and buttons (<footer>).
   */
  postFurnitureTags: new Set(['aside', 'header', 'footer', 'nav', 'form', 'button', 'menu']),
  /**
   * Input types nobody types into: a <form> inside a post with only these (and no text box, list or box to
   * tick) wraps the post's text (an edit form around it), and is kept.
   */
  notFilledInputs: new Set(['hidden', 'submit', 'button', 'image', 'reset']),
  /**
   * A <blockquote> beside the reply's own text is a quote of an earlier post or of a source; one standing alone
   * in its parent is the post's body, as some forum engines mark it up.
   */
  minReplyCharsBesideQuote: 1,
  /**
   * A quote beside a reply is dropped when the thread already holds what it quotes (an earlier post on the page):
   * at least this share of its runs of `quoteGramWords` words are found in the posts' own text, quotes left out.
   * A quote of a source (a blog, a manual, a post on another page) is what the reply answers: it stays.
   */
  minQuotedShareOnPage: 0.5,
  quoteGramWords: 5,
  /**
   * A short text (at most this many characters, numbers aside) found in at least `repeatedShare` of the
   * posts, and in at least `minRepeatedPosts` of them, is the forum's interface (ranks, "1,024 posts", join
   * dates, buttons), not what the authors wrote.
   */
  maxRepeatedChars: 60,
  repeatedShare: 0.3,
  minRepeatedPosts: 3,
  /**
   * The opening post (a Q&A site's question, a discussion's first message) is often marked up apart from the
   * replies, before them: the last post-like block before the first reply that is not its ancestor, marked as a
   * post (these class or id words, or a post itemtype) with a date or an author inside, is kept at the head of
   * the thread, when it holds at least `minOpeningPostChars` of its own and does not repeat the replies
   * (`minQuotedShareOnPage` of its word runs found in them).
   */
  openingPostClass:
    /(?:^|[\s_-])[a-z]*(?:post|message|question|topic|discussion|thread-?starter|comment|answer)[a-z]*(?:$|[\s_-])/i,
  openingPostItemtypes: new Set([
    'question',
    'discussionforumposting',
    'socialmediaposting',
    'comment',
    'answer',
  ]),
  minOpeningPostChars: 80,
  /** Tags whose blocks are never the opening post, nor hold it: navigation, side panels, page furniture. */
  notOpeningPostTags: new Set(['nav', 'aside', 'footer', 'form', 'header', 'menu']),
  /** Class words that mark a post's author, as the opening post's marker (with a date). */
  postAuthorClass:
    /(?:^|[\s_-])(?:author|username|user-?name|poster|byline|user-?info|user-?details)(?:$|[\s_-])/i,
  /** Elements looked at inside a block for its date or author. */
  maxPostScan: 300,
  /**
   * The forum's note that a post was changed ("Last edited by ann; Feb 14, 2026", "Edited June 19 by bob",
   * "Zuletzt bearbeitet von ..."): a short block (at most `maxEditNoteChars`) that starts with one of these is the
   * forum's stamp, not what the author wrote. "Edited" alone must be followed by "by", a colon or a date, so a
   * post's own "EDITED for a typo" stays.
   */
  editNote:
    /^(?:last edited|edited (?:by\b|on\b|at\b|\d|[a-z]{3,9}\.? \d)|edited:|zuletzt (?:bearbeitet|geändert)|bearbeitet von|dernière (?:modification|édition) par|modifié par|última (?:edición|edição|modificación)|editado por|ultima modifica|modificato da|laatst bewerkt|bewerkt door|ostatnio edytowan|edytowan[ey] przez|последн(?:ий раз|ее) (?:редактировал|изменени)|отредактировано|最終編集|最后编辑|本帖最后由)/,
  maxEditNoteChars: 200,
  /**
   * Who wrote each post and when: a thread is a conversation, and a reader follows it by its speakers. The
   * first author mark in a post (itemprop author, rel author, these class words) and its first date (<time>, a
   * datetime attribute) head the post's text, each when its text is short (at most `maxHeaderChars`) and the
   * post's own text does not already hold it. Quotes are not read: their author is the quoted post's.
   */
  postAuthorNameClass:
    /(?:^|[\s_-])(?:author|username|user-?name|poster|post-?author|author-?name)(?:$|[\s_-])/i,
  maxHeaderChars: 60,
} as const;

/** The thread's posts as content, or undefined when the page has no clear thread (then use extractContent). */
export function extractForumThread($: ParsedPage, options: ContentOptions): ExtractedContent | undefined {
  const root = documentRoot($);
  const body = findFirst(root, 'body') ?? root;
  const replies = findThreadPosts(body);
  if (replies.length < FORUM_THREAD.minPosts) return undefined;
  const opening = openingPost(body, replies);
  const posts = opening ? [opening, ...replies] : replies;
  const repeated = repeatedInterface(posts);
  for (const note of editNotes(posts)) repeated.add(note);
  const postSet = new Set<Element>(posts);
  const isFurniture = (element: Element) => {
    if (NON_CONTENT_TAGS.has(element.name) || repeated.has(element) || isAlternateTimeForm(element))
      return true;
    if (postSet.has(element)) return false;
    if (element.name === 'form' && !hasFieldToFill(element)) return false;
    if (FORUM_THREAD.postFurnitureTags.has(element.name)) return true;
    const classes = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`;
    return classes.length < 300 && FORUM_THREAD.postFurniture.test(splitCamelCase(classes));
  };
  let threadGrams: Set<string> | undefined;
  const quotesThread = (quote: Element) => {
    threadGrams ??= wordGrams(
      toPlainText(posts, { skip: (element) => element.name === 'blockquote' || isFurniture(element) }),
    );
    return quotedShare(quote, threadGrams) >= FORUM_THREAD.minQuotedShareOnPage;
  };
  // Author items whose header line is replaced by the name they declare (see postHeader).
  const replacedMarks = new Set<Element>();
  const skip = (element: Element) => {
    if (isFurniture(element) || replacedMarks.has(element)) return true;
    return element.name === 'blockquote' && isQuoteBesideReply(element) && quotesThread(element);
  };
  if (visibleLength(toPlainText(posts, { skip })) < FORUM_THREAD.minChars) return undefined;
  const parts = posts.flatMap((post) => {
    const header = postHeader(post, skip, replacedMarks);
    return header ? [header, post] : [post];
  });
  const text = toPlainText(parts, { skip });
  const head = findFirst(root, 'head');
  const baseUrl = resolveDocumentBase(
    head ? findFirst(head, 'base')?.attribs.href : undefined,
    options.pageUrl,
  );
  const html = sanitizeToHtml(parts, { baseUrl, skip });
  return { html, text, wordCount: countWords(text) };
}

/**
 * A paragraph naming the post's author and date (FORUM_THREAD.postAuthorNameClass), each left out when the post's
 * own text (read with `skip`) already holds it; undefined when neither is found. An author mark that is an item
 * declaring its name (itemscope with <meta itemprop="name">) but shows more (status, rank, "wrote on", the post's
 * number) is the post's header line: the declared name heads the post and the mark joins `replacedMarks`.
 */
function postHeader(
  post: Element,
  skip: (element: Element) => boolean,
  replacedMarks: Set<Element>,
): Element | undefined {
  let author: string | undefined;
  let authorMark: Element | undefined;
  let date: string | undefined;
  const shortLabel = (element: Element) => {
    const label = collapsedTextWithin(element, FORUM_THREAD.maxHeaderChars * 4, isAlternateTimeForm, true);
    return label && label.length <= FORUM_THREAD.maxHeaderChars && HAS_LETTER_OR_DIGIT.test(label)
      ? label
      : undefined;
  };
  for (const inner of elementsInOrder(
    post,
    (element) => element.name === 'blockquote' || NON_CONTENT_TAGS.has(element.name),
    FORUM_THREAD.maxPostScan,
  )) {
    const attributes = inner.attribs;
    // The first author mark, or a mark inside it: an author pane holds the name's own mark beside other lines.
    if (
      (authorMark === undefined || isInside(inner, authorMark)) &&
      (attributes.itemprop === 'author' ||
        attributes.rel === 'author' ||
        ((attributes.class?.length ?? 0) < 200 &&
          FORUM_THREAD.postAuthorNameClass.test(splitCamelCase(attributes.class ?? ''))))
    ) {
      const label = shortLabel(inner);
      if (label !== undefined) {
        author = label;
        authorMark = inner;
      }
    }
    if (date === undefined && (inner.name === 'time' || attributes.datetime !== undefined))
      date = shortLabel(inner);
  }
  const declared = authorMark && declaredName(authorMark);
  if (authorMark && declared !== undefined && declared !== author) {
    author = declared;
    replacedMarks.add(authorMark);
  }
  const opening = toPlainText([post], { skip }).slice(0, FORUM_THREAD.maxHeaderChars * 4);
  const lines = [author, date].filter(
    (line): line is string => line !== undefined && !opening.includes(line),
  );
  if (lines.length === 0) return undefined;
  const parts: ChildNode[] = [];
  lines.forEach((line, i) => {
    if (i > 0) parts.push(elementOf('br'));
    parts.push(elementOf('span', [new Text(line)]));
  });
  return elementOf('p', parts);
}

/** A new element holding `children`, linked both ways as the parser links the page's nodes. */
function elementOf(name: string, children: ChildNode[] = []): Element {
  const element = new Element(name, {}, children);
  children.forEach((child, i) => {
    child.parent = element;
    child.prev = children[i - 1] ?? null;
    child.next = children[i + 1] ?? null;
  });
  return element;
}

/**
 * A <time> made only of elements holds one moment in several forms ("June 14, 2024" and "1 yr", one shown by the
 * style sheet): the first is read, the others would run into it ("June 14, 20241 yr").
 */
function isAlternateTimeForm(element: Element): boolean {
  const time = element.parent;
  if (!time || !isElement(time) || time.name !== 'time') return false;
  let first: Element | undefined;
  for (const child of time.children) {
    if (child.type === 'text' && /\S/.test((child as unknown as { data: string }).data)) return false;
    if (first === undefined && isElement(child)) first = child;
  }
  return first !== undefined && first !== element;
}

/** The name an author item declares (itemscope, a <meta itemprop="name"> inside), when it is short. */
function declaredName(mark: Element): string | undefined {
  if (mark.attribs.itemscope === undefined) return undefined;
  for (const inner of elementsInOrder(
    mark,
    (element) => element.attribs.itemscope !== undefined && element !== mark,
    FORUM_THREAD.maxPostScan,
  )) {
    if (inner.name !== 'meta' || inner.attribs.itemprop !== 'name') continue;
    const name = inner.attribs.content?.replace(/\s+/g, ' ').trim();
    return name && name.length <= FORUM_THREAD.maxHeaderChars && HAS_LETTER_OR_DIGIT.test(name)
      ? name
      : undefined;
  }
  return undefined;
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

/** The blocks inside the posts that are the forum's note of an edit (FORUM_THREAD.editNote), and the parts of them. */
function editNotes(posts: readonly Element[]): Element[] {
  const notes: Element[] = [];
  for (const post of posts) {
    for (const element of elementsInOrder(post, (inner) => NON_CONTENT_TAGS.has(inner.name))) {
      if (element === post) continue;
      const text = collapsedTextWithin(element, FORUM_THREAD.maxEditNoteChars * 4);
      if (
        text !== undefined &&
        text.length <= FORUM_THREAD.maxEditNoteChars &&
        FORUM_THREAD.editNote.test(text)
      )
        notes.push(element);
    }
  }
  return notes;
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

/**
 * Whether a form has a field a reader fills in (a text box, a list, a box to tick): a reply, search or login form.
 * A form without one only wraps what it shows (a post's text inside its edit form, hidden ids beside it).
 */
function hasFieldToFill(form: Element): boolean {
  for (const inner of elementsInOrder(form, undefined, FORUM_THREAD.maxPostScan)) {
    if (inner.name === 'textarea' || inner.name === 'select') return true;
    if (
      inner.name === 'input' &&
      !FORUM_THREAD.notFilledInputs.has((inner.attribs.type ?? 'text').toLowerCase())
    )
      return true;
  }
  return false;
}

/** 'userExtras' -> 'user-Extras': class names written in camelCase read as separate words. */
function splitCamelCase(words: string): string {
  return words.replace(/([a-z0-9])([A-Z])/g, '$1-$2');
}

/**
 * The thread's opening post when it is marked up apart from the replies (FORUM_THREAD.openingPostClass), or
 * undefined.
 */
function openingPost(body: AnyNode, replies: readonly Element[]): Element | undefined {
  const first = replies[0]!;
  const ancestors = new Set<AnyNode>();
  for (let node = first.parent; node; node = node.parent) ancestors.add(node);
  let opening: Element | undefined;
  for (const element of elementsInOrder(
    body,
    (inner) => NON_CONTENT_TAGS.has(inner.name) || FORUM_THREAD.notOpeningPostTags.has(inner.name),
  )) {
    if (element === first) break;
    if (ancestors.has(element) || (opening !== undefined && isInside(element, opening))) continue;
    if (isPostBlock(element) && hasAuthorOrDate(element)) opening = element;
  }
  if (opening === undefined) return undefined;
  const text = toPlainText([opening]);
  if (visibleLength(text) < FORUM_THREAD.minOpeningPostChars) return undefined;
  // The replies' own words: a reply quoting the opening post does not make it a repeat.
  const threadGrams = wordGrams(toPlainText(replies, { skip: (element) => element.name === 'blockquote' }));
  return shareFound(wordGrams(text), threadGrams) >= FORUM_THREAD.minQuotedShareOnPage ? undefined : opening;
}

function isPostBlock(element: Element): boolean {
  const attributes = element.attribs;
  const itemtype = attributes.itemtype?.replace(/^.*\//, '').toLowerCase();
  if (itemtype !== undefined && FORUM_THREAD.openingPostItemtypes.has(itemtype)) return true;
  const classes = `${attributes.class ?? ''} ${attributes.id ?? ''}`;
  return (
    classes.length > 1 && classes.length < 300 && FORUM_THREAD.openingPostClass.test(splitCamelCase(classes))
  );
}

/** Whether a block holds a date (<time>, a datetime attribute) or an author mark. */
function hasAuthorOrDate(element: Element): boolean {
  for (const inner of elementsInOrder(element, undefined, FORUM_THREAD.maxPostScan)) {
    const attributes = inner.attribs;
    if (inner.name === 'time' || attributes.datetime !== undefined) return true;
    if (attributes.itemprop === 'author' || attributes.rel === 'author') return true;
    const classes = attributes.class ?? '';
    if (classes.length < 200 && FORUM_THREAD.postAuthorClass.test(splitCamelCase(classes))) return true;
  }
  return false;
}

function isInside(element: AnyNode, container: Element): boolean {
  for (let node = element.parent; node; node = node.parent) if (node === container) return true;
  return false;
}

/** The runs of FORUM_THREAD.quoteGramWords words of a text (all its words when it has fewer), case-folded. */
function wordGrams(text: string): Set<string> {
  const words = text.toLowerCase().match(WORD) ?? [];
  const size = Math.min(FORUM_THREAD.quoteGramWords, words.length);
  const grams = new Set<string>();
  for (let i = 0; i + size <= words.length && size > 0; i++) grams.add(words.slice(i, i + size).join(' '));
  return grams;
}

/** The share of a quote's word runs that the thread's own text holds (1 for a quote without words). */
function quotedShare(quote: Element, threadGrams: ReadonlySet<string>): number {
  return shareFound(wordGrams(textContent(quote)), threadGrams);
}

/** The share of `grams` found in `among` (1 when there are none). */
function shareFound(grams: ReadonlySet<string>, among: ReadonlySet<string>): number {
  if (grams.size === 0) return 1;
  let found = 0;
  for (const gram of grams) if (among.has(gram)) found++;
  return found / grams.size;
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
