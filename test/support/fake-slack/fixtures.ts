/**
 * Reads the shared Slack fixtures (`test/fixtures/slack/`, a copy of the workspace's shared fixtures): real-format payloads
 * and responses that the fake answers with and the request builders start from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/slack/', import.meta.url));

/** The file's exact text: bodies are signed byte for byte, so nothing is trimmed. */
export function readSlackFixtureText(file: string): string {
  const path = `${FIXTURES_DIR}${file}`;
  if (!existsSync(path)) {
    throw new Error(
      `fake-slack: fixture ${path} is missing; test/fixtures/ is a copy of the workspace's shared/fixtures/`,
    );
  }
  return readFileSync(path, 'utf8');
}

/** A fresh parse on every call, so callers may change what they get. */
export function loadSlackFixture<T>(file: string): T {
  return JSON.parse(readSlackFixtureText(file)) as T;
}
