/** The pull request the forge tests open: from `head` into main, nothing asked for but the text. */
import type { NewPullRequest } from '../../src/forge.js';

export function newPullRequest(head: string, overrides: Partial<NewPullRequest> = {}): NewPullRequest {
  return {
    head,
    base: 'main',
    title: `Update ${head}`,
    body: 'drawbridge body',
    draft: false,
    labels: [],
    reviewers: [],
    teamReviewers: [],
    ...overrides,
  };
}
