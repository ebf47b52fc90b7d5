/**
 * What the daemon checks beyond the config schema: the schedule parses as cron, and the events
 * statuses and registry endpoints have their secrets. Run before anything is built from a new config, so a reload with
 * a bad one changes nothing.
 */
import { validate as validateCron } from 'node-cron';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { eventsAuth, type EventsAuth } from './http-auth.js';

export interface DaemonAuth {
  /** The ECR events endpoint's, when configured. */
  readonly events?: EventsAuth;
  /** The statuses endpoint's, when configured. */
  readonly statuses?: EventsAuth;
  /** The registry events endpoint's, when configured. */
  readonly registry?: EventsAuth;
}

export function checkDaemonConfig(
  config: Config,
  env: NodeJS.ProcessEnv,
  file = 'drawbridge.yaml',
): DaemonAuth {
  if (!validateCron(config.schedule)) {
    throw new ConfigError(`invalid schedule "${config.schedule}"`, [
      {
        file,
        line: 1,
        column: 1,
        path: 'schedule',
        message: 'not a cron expression',
        hint: "e.g. '*/5 * * * *'",
      },
    ]);
  }
  const http = config.events?.http;
  const statuses = config.events?.statuses;
  const registry = config.events?.registry;
  return {
    ...(http ? { events: eventsAuth(http, env, file) } : {}),
    ...(statuses ? { statuses: eventsAuth(statuses, env, file, 'events.statuses') } : {}),
    ...(registry ? { registry: eventsAuth(registry, env, file, 'events.registry') } : {}),
  };
}
