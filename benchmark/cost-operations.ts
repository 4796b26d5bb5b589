// bench:cost's DynamoDB bill by operation, weighed as the headline is: what one new article costs with its
// re-checks, per operation (`UpdateItem CRAWL`, `PutItem ARTICLE CURRENT`...), so a change's before and after can
// be read line by line and the biggest line is the next lever.

/** One operation's counts per article of a phase (benchmark/cost.ts `operations`): units include index copies. */
export interface OperationUnits {
  requests: number;
  writeUnits: number;
  indexWriteUnits: number;
  readUnits: number;
  /** USD per million articles of the phase. */
  usd: number;
}

export type PhaseOperations = Readonly<Record<string, OperationUnits>>;

/** The phases the headline is made of, each as operation -> units per article. */
export interface HeadlinePhases {
  newArticle: PhaseOperations;
  recheckNotModified: PhaseOperations;
  recheckNotModifiedLastStep: PhaseOperations;
  recheckUnchanged: PhaseOperations;
  recheckUnchangedLastStep: PhaseOperations;
}

/** How the headline weighs the phases (benchmark/cost.ts `withRechecks`). */
export interface HeadlineWeights {
  rechecksPerArticle: number;
  /** Share of re-checks answered 304 (the rest 200 with the same page). */
  notModifiedShare: number;
  /** Share of re-checks queued presumed unchanged (the rest recorded by ingest, as at a schedule's last step). */
  presumedShare: number;
}

export interface OperationRow {
  operation: string;
  /** Write units (index copies included) and read units per new article. */
  newArticle: { writeUnits: number; readUnits: number };
  /** Per re-check, the re-check phases weighed as in the headline. */
  recheck: { writeUnits: number; readUnits: number };
  /** This operation's share of the headline: USD per million new articles, re-checks included. */
  usdPerMillionNewArticles: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Every DynamoDB operation any phase made, its units per new article and per re-check, most expensive first. */
export function operationsPerNewArticle(phases: HeadlinePhases, weights: HeadlineWeights): OperationRow[] {
  const { notModifiedShare: nm, presumedShare: ps, rechecksPerArticle } = weights;
  const recheckWeights: Array<[PhaseOperations, number]> = [
    [phases.recheckNotModified, nm * ps],
    [phases.recheckNotModifiedLastStep, nm * (1 - ps)],
    [phases.recheckUnchanged, (1 - nm) * ps],
    [phases.recheckUnchangedLastStep, (1 - nm) * (1 - ps)],
  ];
  const names = new Set<string>(Object.keys(phases.newArticle));
  for (const [phase] of recheckWeights) for (const name of Object.keys(phase)) names.add(name);
  const perRecheck = (name: string, pick: (units: OperationUnits) => number) =>
    recheckWeights.reduce((sum, [phase, weight]) => {
      const units = phase[name];
      return units === undefined ? sum : sum + weight * pick(units);
    }, 0);
  return [...names]
    .map((operation) => {
      const fresh = phases.newArticle[operation];
      const recheckUsd = perRecheck(operation, (units) => units.usd);
      return {
        operation,
        newArticle: { writeUnits: fresh?.writeUnits ?? 0, readUnits: fresh?.readUnits ?? 0 },
        recheck: {
          writeUnits: round(
            perRecheck(operation, (units) => units.writeUnits),
            3,
          ),
          readUnits: round(
            perRecheck(operation, (units) => units.readUnits),
            3,
          ),
        },
        usdPerMillionNewArticles: round((fresh?.usd ?? 0) + rechecksPerArticle * recheckUsd, 3),
      };
    })
    .sort(
      (a, b) =>
        b.usdPerMillionNewArticles - a.usdPerMillionNewArticles || (a.operation < b.operation ? -1 : 1),
    );
}

/** The rows as a markdown table (operations under half a cent per million left out, counted in the last line). */
export function renderOperationTable(rows: readonly OperationRow[]): string {
  const shown = rows.filter((row) => row.usdPerMillionNewArticles >= 0.005);
  const rest = rows.length - shown.length;
  const total = rows.reduce((sum, row) => sum + row.usdPerMillionNewArticles, 0);
  const units = (value: number) => (value === 0 ? '' : value.toFixed(3));
  return [
    '| DynamoDB operation | new article WU | new article RU | one re-check WU | one re-check RU | USD per million new articles, re-checks included |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...shown.map(
      (row) =>
        `| ${row.operation} | ${units(row.newArticle.writeUnits)} | ${units(row.newArticle.readUnits)} | ${units(row.recheck.writeUnits)} | ${units(row.recheck.readUnits)} | ${row.usdPerMillionNewArticles.toFixed(3)} |`,
    ),
    ...(rest > 0 ? [`| ${rest} more under $0.005 each | | | | | |`] : []),
    `| **DynamoDB** | | | | | ${total.toFixed(2)} |`,
  ].join('\n');
}
