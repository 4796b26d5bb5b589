/** The `sources` command's usage, apart so that `articles --help` does not load the store to print it. */
export const SOURCES_USAGE = `sources add URL [--every 15m] [--allow-other-sites] [--kind feed|sitemap|site|urls]
  articles sources import FILE|-   (one URL a line, or JSON lines {"url","every"?,"allowOtherSites"?,"kind"?})
  articles sources list | get ID | pause ID | resume ID | remove ID
           (all take --data-dir DIR for the embedded store, or --stack NAME / --table NAME for a deployed one)`;
