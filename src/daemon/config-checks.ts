/**
 * What the daemon checks beyond the config schema: the schedule parses as cron, and the events
 * endpoint has its secrets. Run before anything is built from a new config, so a reload with
 * a bad one changes nothing.
 */
import { validate as validateCron } from 'node-cron';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { eventsAuth, type EventsAuth } from './http-auth.js';

export function checkDaemonConfig(
  config: Config,
  env: NodeJS.ProcessEnv,
  file = 'drawbridge.yaml',
): EventsAuth | undefined {
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
  return http ? eventsAuth(http, env, file) : undefined;
}
