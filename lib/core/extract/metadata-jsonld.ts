// JSON-LD (schema.org) metadata: finds the article node in any <script type="application/ld+json">, through
// arrays, @graph and nested mainEntity, and resolves {"@id": …} references within the page.

export type JsonLdNode = Record<string, unknown>;

const ARTICLE_TYPES = new Set([
  'article',
  'advertisercontentarticle',
  'newsarticle',
  'analysisnewsarticle',
  'askpublicnewsarticle',
  'backgroundnewsarticle',
  'opinionnewsarticle',
  'reportagenewsarticle',
  'reviewnewsarticle',
  'report',
  'satiricalarticle',
  'scholarlyarticle',
  'medicalscholarlyarticle',
  'socialmediaposting',
  'blogposting',
  'liveblogposting',
  'discussionforumposting',
  'techarticle',
  'apireference',
]);

const MAX_SCRIPTS = 50;
const MAX_SCRIPT_CHARS = 1_000_000;
const MAX_NODES = 2000;

export interface JsonLdData {
  /** The first node whose @type is an Article kind. */
  article?: JsonLdNode;
  /** The first WebSite node, whose name is the site name when there is no publisher. */
  website?: JsonLdNode;
  /** Resolves a value that may be an {"@id": …} reference to the node it names. */
  resolve(value: unknown): unknown;
}

/** Reads the JSON-LD blocks, given the text of each <script type="application/ld+json">. */
export function readJsonLd(scriptTexts: readonly string[]): JsonLdData {
  const nodes: JsonLdNode[] = [];
  const byId = new Map<string, JsonLdNode>();
  for (const text of scriptTexts.slice(0, MAX_SCRIPTS)) {
    if (text.length > MAX_SCRIPT_CHARS) continue;
    const parsed = parseJsonLd(text);
    if (parsed !== undefined) collectNodes(parsed, nodes, byId, 0);
  }
  const resolve = (value: unknown): unknown => {
    if (isNode(value) && typeof value['@id'] === 'string' && Object.keys(value).length === 1) {
      return byId.get(value['@id']) ?? value;
    }
    return value;
  };
  return {
    article: nodes.find((node) => hasType(node, (type) => ARTICLE_TYPES.has(type))),
    website: nodes.find((node) => hasType(node, (type) => type === 'website')),
    resolve,
  };
}

/** Parses one JSON-LD script's text: comment and CDATA wrappers dropped, raw control characters forgiven. */
export function parseJsonLd(text: string): unknown {
  const stripped = text
    .replace(/^\s*(?:<!--|\/\/\s*<!\[CDATA\[|<!\[CDATA\[)/, '')
    .replace(/(?:-->|\/\/\s*\]\]>|\]\]>)\s*$/, '')
    .trim();
  if (stripped === '') return undefined;
  try {
    return JSON.parse(stripped);
  } catch {
    // Raw newlines and tabs inside strings are the most common breakage.
    try {
      return JSON.parse(stripped.replace(/[\u0000-\u001f]+/g, ' '));
    } catch {
      return undefined;
    }
  }
}

function isNode(value: unknown): value is JsonLdNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collectNodes(
  value: unknown,
  nodes: JsonLdNode[],
  byId: Map<string, JsonLdNode>,
  depth: number,
): void {
  if (depth > 6 || nodes.length >= MAX_NODES) return;
  if (Array.isArray(value)) {
    for (const item of value) collectNodes(item, nodes, byId, depth + 1);
    return;
  }
  if (!isNode(value)) return;
  if (value['@type'] !== undefined) {
    nodes.push(value);
    const id = value['@id'];
    if (typeof id === 'string' && Object.keys(value).length > 1 && !byId.has(id)) byId.set(id, value);
  }
  if (value['@graph'] !== undefined) collectNodes(value['@graph'], nodes, byId, depth + 1);
  // A WebPage often holds the article as mainEntity; authors and publishers may be defined inline.
  for (const key of ['mainEntity', 'mainEntityOfPage', 'hasPart', 'itemListElement', 'author', 'publisher']) {
    const child = value[key];
    if (typeof child === 'object' && child !== null) collectNodes(child, nodes, byId, depth + 1);
  }
}

/** The node's types, lowercased, without a schema.org prefix ("http://schema.org/NewsArticle" → "newsarticle"). */
export function nodeTypes(node: JsonLdNode): string[] {
  const raw = node['@type'];
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .filter((type): type is string => typeof type === 'string')
    .map((type) => type.replace(/^.*[/:#]/, '').toLowerCase());
}

function hasType(node: JsonLdNode, predicate: (type: string) => boolean): boolean {
  return nodeTypes(node).some(predicate);
}

/** A text value: a string, a number, or {"@value": …} / {"name": …}; the first of an array. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = textOf(item);
      if (text !== undefined) return text;
    }
    return undefined;
  }
  if (isNode(value)) {
    if (typeof value['@value'] === 'string') return value['@value'];
    if (typeof value.name === 'string') return value.name;
  }
  return undefined;
}

/** Every element of a value that may be a single item or an array. */
export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function isJsonLdNode(value: unknown): value is JsonLdNode {
  return isNode(value);
}
