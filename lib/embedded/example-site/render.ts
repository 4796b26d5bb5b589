import type { SiteArticle } from './articles.ts';

/** Renders the pages of a news site the way real ones look: the article wrapped in a lot of things that are not. */
export interface SiteInfo {
  origin: string;
  name: string;
}

const escapeHtml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const articlePath = (article: Pick<SiteArticle, 'slug'>): string => `/news/${article.slug}`;

const humanDate = (iso: string): string =>
  new Date(iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

export function renderArticlePage(article: SiteArticle, site: SiteInfo, related: SiteArticle[] = []): string {
  const url = `${site.origin}${articlePath(article)}`;
  const imageUrl = article.image ? `${site.origin}${article.image.path}` : undefined;
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: article.title,
    description: article.description,
    datePublished: article.publishedAt,
    ...(article.modifiedAt ? { dateModified: article.modifiedAt } : {}),
    author: article.authors.map((name) => ({ '@type': 'Person', name })),
    publisher: { '@type': 'Organization', name: site.name },
    mainEntityOfPage: url,
    articleSection: article.section,
    keywords: article.tags.join(', '),
    ...(imageUrl ? { image: [imageUrl] } : {}),
  };
  const body = article.paragraphs
    .map((paragraph, index) => {
      const heading = article.subheadings?.[index];
      return `${heading ? `<h2>${escapeHtml(heading)}</h2>\n` : ''}<p>${escapeHtml(paragraph)}</p>`;
    })
    .join('\n');
  const relatedLinks = related
    .map(
      (other) => `<li><a href="${articlePath(other)}?utm_source=related">${escapeHtml(other.title)}</a></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(article.title)} | ${escapeHtml(site.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="${escapeHtml(article.description)}">
<link rel="canonical" href="${url}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="${escapeHtml(site.name)}">
<meta property="og:title" content="${escapeHtml(article.title)}">
<meta property="og:description" content="${escapeHtml(article.description)}">
<meta property="og:url" content="${url}">
${imageUrl ? `<meta property="og:image" content="${imageUrl}">` : ''}
<meta property="article:published_time" content="${article.publishedAt}">
${article.modifiedAt ? `<meta property="article:modified_time" content="${article.modifiedAt}">` : ''}
<meta property="article:section" content="${escapeHtml(article.section)}">
${article.tags.map((tag) => `<meta property="article:tag" content="${escapeHtml(tag)}">`).join('\n')}
<meta name="twitter:card" content="summary_large_image">
<link rel="alternate" type="application/rss+xml" title="${escapeHtml(site.name)}" href="/feed.xml">
<script type="application/ld+json">${JSON.stringify(jsonLd).replace(/</g, '\\u003c')}</script>
<link rel="stylesheet" href="/assets/site.css">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({ section: ${JSON.stringify(article.section)} });</script>
</head>
<body class="article-page">
<div class="cookie-banner" role="dialog">We use cookies to improve your experience. <button>Accept all</button> <a href="/privacy">Manage preferences</a></div>
<header class="site-header">
  <a class="logo" href="/">${escapeHtml(site.name)}</a>
  <nav class="main-nav"><ul>
    <li><a href="/section/city">City</a></li><li><a href="/section/region">Region</a></li>
    <li><a href="/section/business">Business</a></li><li><a href="/section/culture">Culture</a></li>
    <li><a href="/section/science">Science</a></li><li><a href="/subscribe">Subscribe</a></li>
  </ul></nav>
  <form class="search" action="/search"><input name="q" placeholder="Search"><button>Go</button></form>
</header>
<div class="ad-slot ad-leaderboard">Advertisement</div>
<main id="content">
<article class="story">
  <header class="story-header">
    <a class="kicker" href="/section/${article.section.toLowerCase()}">${escapeHtml(article.section)}</a>
    <h1 class="headline">${escapeHtml(article.title)}</h1>
    <p class="standfirst">${escapeHtml(article.description)}</p>
    <div class="byline">By ${article.authors.map((name) => `<a rel="author" href="/authors/${encodeURIComponent(name.toLowerCase().replace(/[^a-z]+/g, '-'))}">${escapeHtml(name)}</a>`).join(' and ')}
      · <time datetime="${article.publishedAt}">${humanDate(article.publishedAt)}</time></div>
    <div class="share-bar" aria-label="Share this article">Share: <a href="https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(url)}">Facebook</a> <a href="https://twitter.com/intent/tweet?url=${encodeURIComponent(url)}">X</a> <a href="mailto:?subject=${encodeURIComponent(article.title)}">Email</a> <button class="copy-link">Copy link</button></div>
  </header>
  ${
    article.image && imageUrl
      ? `<figure class="lead-image"><img src="${article.image.path}" alt="${escapeHtml(article.image.alt)}" width="1200" height="675"><figcaption>${escapeHtml(article.image.caption)}</figcaption></figure>`
      : ''
  }
  <div class="story-body">
${body}
  </div>
  <div class="newsletter-box">
    <h3>${escapeHtml(site.name)}’s daily newsletter</h3>
    <p>Keep up to date with what is happening in the city, in the region and in the world.</p>
    <form action="/newsletter" method="post"><input type="email" name="email" placeholder="Your email"><button>Sign up</button></form>
    <p class="legal">You can unsubscribe anytime. By signing up, you agree to our Terms of Service and Privacy Policy. This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service apply.</p>
  </div>
  <div class="tags">Topics: ${article.tags.map((tag) => `<a href="/tag/${encodeURIComponent(tag)}">${escapeHtml(tag)}</a>`).join(' ')}</div>
  <div class="share-bar share-bottom">Share: <a href="https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(url)}">Facebook</a> <a href="https://twitter.com/intent/tweet?url=${encodeURIComponent(url)}">X</a></div>
  <section class="comments"><p>Comments are closed.</p></section>
</article>
<aside class="related">
  <h2>Related stories</h2>
  <ul>
${relatedLinks}
  </ul>
</aside>
<div class="ad-slot ad-mpu">Advertisement</div>
</main>
<footer class="site-footer">
  <p>© 2026 ${escapeHtml(site.name)}. All rights reserved.</p>
  <ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of service</a></li></ul>
</footer>
<script src="/assets/site.js" async></script>
</body>
</html>
`;
}

export function renderHomePage(articles: SiteArticle[], site: SiteInfo): string {
  const items = articles
    .map(
      (article) =>
        `<li><a href="${articlePath(article)}">${escapeHtml(article.title)}</a> <time>${humanDate(article.publishedAt)}</time></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(site.name)}</title>
<link rel="alternate" type="application/rss+xml" title="${escapeHtml(site.name)}" href="/feed.xml"></head>
<body><h1>${escapeHtml(site.name)}</h1><ul>
${items}
</ul></body></html>
`;
}

/** RSS 2.0, newest first, as most CMSs publish it. */
export function renderRssFeed(articles: SiteArticle[], site: SiteInfo): string {
  const sorted = [...articles].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
  const items = sorted
    .map(
      (article) => `  <item>
    <title>${escapeHtml(article.title)}</title>
    <link>${site.origin}${articlePath(article)}?utm_source=rss&amp;utm_medium=feed</link>
    <guid isPermaLink="false">${escapeHtml(article.slug)}</guid>
    <description>${escapeHtml(article.description)}</description>
    <pubDate>${new Date(article.publishedAt).toUTCString()}</pubDate>
    <category>${escapeHtml(article.section)}</category>
  </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>${escapeHtml(site.name)}</title>
  <link>${site.origin}/</link>
  <description>News from ${escapeHtml(site.name)}</description>
  <language>en</language>
${items}
</channel>
</rss>
`;
}

/** A sitemap with lastmod, so the crawler can tell which pages changed since it last fetched them. */
export function renderSitemap(articles: SiteArticle[], site: SiteInfo): string {
  const urls = articles
    .map(
      (article) =>
        `  <url><loc>${site.origin}${articlePath(article)}</loc><lastmod>${article.modifiedAt ?? article.publishedAt}</lastmod></url>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls}
</urlset>
`;
}
