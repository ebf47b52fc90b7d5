import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { memoryStream as capture } from '../helpers/io.js';

describe('logger', () => {
  it('writes one JSON line per message: fixed message, fields beside it', () => {
    const sink = capture();
    const logger = createLogger({ destination: sink.stream, pretty: false });
    logger.info({ environment: 'prod', image: 'api', old: '1.0.0', new: '1.0.1' }, 'image updated');
    const line = JSON.parse(sink.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'image updated',
      environment: 'prod',
      image: 'api',
      new: '1.0.1',
    });
    expect(typeof line['time']).toBe('string');
  });

  it('never prints a registered secret, in fields, messages or errors', () => {
    const sink = capture();
    const redactor = new Redactor();
    const token = 'ghp_S3cr3tT0kenValue1234567890';
    redactor.add(token);
    const logger = createLogger({ destination: sink.stream, pretty: false, redactor });
    logger.warn({ header: `Bearer ${token}` }, `push failed with ${token}`);
    logger.error(
      { err: new Error(`fatal: could not read from https://x-access-token:${token}@example.com/r.git`) },
      'git failed',
    );
    expect(sink.text()).not.toContain(token);
    expect(sink.text()).toContain('***');
  });

  it('scrubs credentials embedded in URLs even when nobody registered them', () => {
    const sink = capture();
    const logger = createLogger({ destination: sink.stream, pretty: false });
    logger.info({ url: 'https://user:hunter2-password@git.example.com/fleet.git' }, 'cloning');
    expect(sink.text()).not.toContain('hunter2-password');
    expect(sink.text()).toContain('https://user:***@git.example.com/fleet.git');
  });

  it('keeps redacting in the human-readable format', () => {
    const sink = capture();
    const redactor = new Redactor();
    redactor.add('topsecretvalue');
    const logger = createLogger({ destination: sink.stream, pretty: true, redactor });
    logger.info({ token: 'topsecretvalue' }, 'hello');
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(sink.text()).toContain('hello');
        expect(sink.text()).not.toContain('topsecretvalue');
        resolve();
      }, 50),
    );
  });
});

describe('Redactor', () => {
  it('ignores secrets too short to redact safely and deep-redacts values', () => {
    const redactor = new Redactor();
    redactor.add('ab');
    redactor.add('longsecret');
    expect(redactor.redact('ab longsecret')).toBe('ab ***');
    expect(redactor.redactValue({ a: ['x longsecret'], b: { c: 'longsecret' } })).toEqual({
      a: ['x ***'],
      b: { c: '***' },
    });
  });
});
