const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes resource quantity (`250m`, `1.5`, `12345n`, `128Mi`, `1e3`) as a plain number of base units. */
export function parseQuantity(text: string): number {
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const [, number = '', suffix = ''] = match;
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? Number.NaN : Number(number) * factor;
}

export function millicores(text: string | undefined): number {
  return text ? Math.round(parseQuantity(text) * 1000) : 0;
}

export function bytes(text: string | undefined): number {
  return text ? Math.round(parseQuantity(text)) : 0;
}
