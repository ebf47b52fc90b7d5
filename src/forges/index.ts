/**
 * Forges by name (SPEC §10). Each folder implements the Forge seam of ../forge.ts; adding one
 * (Bitbucket, Azure DevOps, Gitea/Forgejo) is a folder and a line here, and its name in
 * FORGE_TYPES. A forge's folder (and its SDK: Octokit, Gitbeaker, the CodeCommit client) is
 * loaded only when a repository names it, so a scan without pull requests never pays for it.
 */
import type { ForgeFactory, ForgeType } from '../forge.js';

export const FORGES: Readonly<Record<ForgeType, () => Promise<ForgeFactory>>> = {
  github: async () => (await import('./github/index.js')).createGitHubForge,
  gitlab: async () => (await import('./gitlab/index.js')).createGitLabForge,
  codecommit: async () => (await import('./codecommit/index.js')).createCodeCommitForge,
};

/** The factories for these forge types, each folder loaded once. */
export async function loadForges(types: Iterable<ForgeType>): Promise<ReadonlyMap<ForgeType, ForgeFactory>> {
  const wanted = [...new Set(types)];
  const factories = await Promise.all(wanted.map((type) => FORGES[type]()));
  return new Map(wanted.map((type, index) => [type, factories[index]!]));
}
