/**
 * Forges by name (SPEC §10). Each folder implements the Forge seam of ../forge.ts; adding one
 * (Bitbucket, Azure DevOps, Gitea/Forgejo) is a folder and a line here, and its name in
 * FORGE_TYPES.
 */
import type { Forge, ForgeFactory, ForgeOptions, ForgeType } from '../forge.js';
import { createCodeCommitForge } from './codecommit/index.js';
import { createGitHubForge } from './github/index.js';
import { createGitLabForge } from './gitlab/index.js';

export const FORGES: Readonly<Record<ForgeType, ForgeFactory>> = {
  github: createGitHubForge,
  gitlab: createGitLabForge,
  codecommit: createCodeCommitForge,
};

export function createForge(options: ForgeOptions): Forge {
  return FORGES[options.settings.type](options);
}
