import { closest } from '../lib/closest.ts';

/** ` (did you mean "replicas"?)` for the closest candidate, or `''` when nothing is close enough. */
export function didYouMean(given: string, candidates: Iterable<string>): string {
  const match = closest(given, candidates);
  return match === undefined ? '' : ` (did you mean ${JSON.stringify(match)}?)`;
}
