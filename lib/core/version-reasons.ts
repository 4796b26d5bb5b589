/**
 * Why a version was written, when not because a fetch found the page new or changed (absent: a fetch did).
 * `reextracted`: the stored raw page was extracted again by a newer extractor and the Article differed.
 * No zod here, so the store can name the reasons without loading the Article schema (as page-types.ts).
 */
export const VERSION_REASONS = ['reextracted'] as const;
export type VersionReason = (typeof VERSION_REASONS)[number];
