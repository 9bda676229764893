import { closest } from './closest.ts';

/**
 * The one "did you mean": ` Did you mean "replicas"?` for the candidate closest to `given`, or `''`
 * when nothing is close enough. `show` quotes the suggestion for where it is read (Slack code spans,
 * a shell command).
 */
export function didYouMean(
  given: string,
  candidates: Iterable<string>,
  show: (candidate: string) => string = (candidate) => JSON.stringify(candidate),
): string {
  const match = closest(given, candidates);
  return match === undefined ? '' : ` Did you mean ${show(match)}?`;
}

/** `message`, or `message. Did you mean …?` when there is a suggestion: for messages that are not sentences yet. */
export function sentence(message: string, suggestion: string): string {
  return suggestion ? `${message}.${suggestion}` : message;
}
