/**
 * Argo CD Image Updater's own settings, from its ConfigMap `argocd-image-updater-config` when
 * it is among the objects read: `registries.conf` (a YAML list of `{name, prefix, api_url,
 * insecure, credentials, …}`) and the Git identity `git.user` / `git.email`. A registry whose
 * `api_url` is plain HTTP becomes `registries.<host>.insecure`; what has no counterpart (TLS
 * verification switched off, credentials, a commit message template) becomes a note.
 */
import { parse } from 'yaml';
import { isRecord } from '../checks/record.js';
import { checkRegistryHost } from '../config/field-checks.js';
import type { KubeObject } from './objects.js';
import type { ImportedConfig } from './render.js';

export const SETTINGS_NAME = 'argocd-image-updater-config';

export interface ArgoSettings {
  readonly registries: ImportedConfig['registries'];
  readonly author?: { readonly name: string; readonly email: string };
  readonly notes: readonly string[];
}

export function readSettings(objects: readonly KubeObject[]): ArgoSettings | undefined {
  const map = objects.find((object) => object.kind === 'ConfigMap' && object.name === SETTINGS_NAME);
  if (!map) return undefined;
  const notes: string[] = [];
  const registries: { host: string; insecure: boolean; notes: string[] }[] = [];
  const conf = map.data['registries.conf'];
  let listed: unknown;
  try {
    listed = conf === undefined ? undefined : (parse(conf, { maxAliasCount: 100 }) as unknown);
  } catch {
    notes.push(`${SETTINGS_NAME}'s registries.conf does not parse as YAML: add registries by hand`);
  }
  const entries = isRecord(listed) && Array.isArray(listed['registries']) ? listed['registries'] : [];
  for (const entry of entries.slice(0, 100)) {
    if (!isRecord(entry)) continue;
    const apiUrl = typeof entry['api_url'] === 'string' ? entry['api_url'] : undefined;
    let url: URL | undefined;
    try {
      url = apiUrl === undefined ? undefined : new URL(apiUrl);
    } catch {
      url = undefined;
    }
    const prefix = typeof entry['prefix'] === 'string' ? entry['prefix'] : url?.host;
    const host = prefix?.split('/')[0];
    if (host === undefined || checkRegistryHost(host) !== undefined) continue;
    // One entry per host (registries: is a map); the first wins, as Image Updater matches by prefix.
    if (registries.some((registry) => registry.host === host)) continue;
    const entryNotes: string[] = [];
    if (entry['insecure'] === true || entry['insecure'] === 'yes')
      entryNotes.push(
        `Image Updater skipped TLS verification for ${host}; drawbridge verifies it: trust the registry's CA (NODE_EXTRA_CA_CERTS)`,
      );
    if (typeof entry['credentials'] === 'string')
      entryNotes.push(
        `Image Updater read ${host} with credentials ${entry['credentials'].split(':')[0] ?? ''}: give drawbridge usernameEnv and passwordEnv here, or a Docker config`,
      );
    const plain = url?.protocol === 'http:';
    if (plain || entryNotes.length > 0) registries.push({ host, insecure: plain, notes: entryNotes });
  }
  const name = map.data['git.user'];
  const email = map.data['git.email'];
  if (map.data['git.commit-message-template'] !== undefined)
    notes.push(
      "Image Updater's git.commit-message-template is a Go template, which drawbridge's {{ placeholders }} do not read; drawbridge's default message (who, what, why, trailers) is used — see the README's Commits",
    );
  return {
    registries,
    ...(name !== undefined && email !== undefined ? { author: { name, email } } : {}),
    notes,
  };
}
