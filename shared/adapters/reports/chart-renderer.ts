import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Charts for email: a Vega-Lite spec compiled to Vega, rendered to SVG without a browser or a
 * canvas, then rasterised to PNG by resvg compiled to WebAssembly (no native binary, so the same
 * code runs on x86 laptops and arm64 Lambda). Mail clients show PNG; many refuse SVG.
 */
export const chartFontFamily = 'DejaVu Sans';

/**
 * The WebAssembly module and the font ship as files. In a Lambda bundle they are copied next to
 * the bundle (see `infra/constructs/finance-reports.ts`); elsewhere they resolve from node_modules.
 */
const assets = {
  wasm: { bundled: 'resvg.wasm', module: '@resvg/resvg-wasm/index_bg.wasm' },
  // TrueType, not WOFF2: resvg decompresses a WOFF2 font on every render (27 ms a chart, measured
  // against 3 ms for the TTF), and the full face also covers every currency sign (₩, ₹, ₺...).
  font: { bundled: 'chart-font.ttf', module: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf' },
} as const;

function readAsset(asset: { readonly bundled: string; readonly module: string }): Uint8Array {
  const beside = fileURLToPath(new URL(`./${asset.bundled}`, import.meta.url));
  if (existsSync(beside)) return new Uint8Array(readFileSync(beside));
  return new Uint8Array(readFileSync(createRequire(import.meta.url).resolve(asset.module)));
}

let ready: Promise<Uint8Array> | undefined;

/** Loads the WebAssembly module once per process; returns the font. */
function prepare(): Promise<Uint8Array> {
  ready ??= (async () => {
    await initWasm(readAsset(assets.wasm));
    return readAsset(assets.font);
  })();
  return ready;
}

/**
 * The last charts drawn, by spec, most recent last. A report redraws every chart each time it
 * runs, and most have the same data as the day before (a quiet currency, the cohorts of past
 * months): the local runtime's daily summary drew three of four charts it had already drawn.
 */
const recentCharts = new Map<string, Uint8Array>();
/** Three reports of ten currencies (three charts each), at about 30 KB a chart. */
const recentChartLimit = 96;

/** Forgets the charts drawn so far: a benchmark times a cold render, as a daily Lambda invocation gets. */
export function forgetDrawnCharts(): void {
  recentCharts.clear();
}

/**
 * Renders a Vega-Lite spec to a PNG at twice its CSS size (sharp on high-density screens). A spec
 * equal to one drawn lately gets the same bytes from memory: rendering is deterministic.
 */
export async function renderChartPng(spec: TopLevelSpec): Promise<Uint8Array> {
  const key = JSON.stringify(spec);
  let png = recentCharts.get(key);
  if (png === undefined) png = await drawChartPng(spec);
  recentCharts.delete(key);
  recentCharts.set(key, png);
  for (const oldest of recentCharts.keys()) {
    if (recentCharts.size <= recentChartLimit) break;
    recentCharts.delete(oldest);
  }
  // Each caller gets its own copy: nothing it does to the bytes reaches the next one.
  return png.slice();
}

async function drawChartPng(spec: TopLevelSpec): Promise<Uint8Array> {
  const font = await prepare();
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const image = new Resvg(svg, {
      font: { fontBuffers: [font], defaultFontFamily: chartFontFamily, loadSystemFonts: false },
      fitTo: { mode: 'zoom', value: 2 },
      background: '#ffffff',
    });
    try {
      return image.render().asPng();
    } finally {
      image.free();
    }
  } finally {
    view.finalize();
  }
}
