import type { TopLevelSpec } from 'vega-lite';

/** A rendered chart: PNG bytes and their pixel size. */
export interface ChartPng {
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * Pixels per SVG unit. Slack shows image previews at up to ~360 px tall in the channel and opens the
 * full file on click: a 2× render keeps the axis text sharp in both.
 */
const SCALE = 2;
/** DejaVu ships in Debian's fonts-dejavu-core (installed by the Dockerfile); resvg draws no text without a font. */
const FONT_FAMILY = 'DejaVu Sans';

/**
 * A Vega-Lite spec drawn to PNG in-process: vega-lite compiles it, vega lays it out to SVG without a
 * canvas, resvg rasterises the SVG. The three load on the first chart, not at start-up (~15 MB).
 */
export async function renderChartPng(spec: TopLevelSpec): Promise<ChartPng> {
  const [vega, { compile }, { Resvg }] = await Promise.all([
    import('vega'),
    import('vega-lite'),
    import('@resvg/resvg-js'),
  ]);
  const { spec: compiled } = compile({ ...spec, config: { font: FONT_FAMILY, ...spec.config } });
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const image = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: SCALE },
      background: 'white',
      font: { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY },
    }).render();
    return { png: image.asPng(), width: image.width, height: image.height };
  } finally {
    view.finalize();
  }
}
