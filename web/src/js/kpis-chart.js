// kpis-chart.js: a measure's trend as an inline SVG line chart, drawn with createElementNS and
// setAttribute only (no markup, no style attribute: the colours, the dashes and the text sizes are
// CSS classes in web/src/scss/_kpis.scss, and positions are SVG presentation attributes).
//
//   trendChart({points, kind, target, title})   an <svg role="img"> with an aria-label that
//        summarises it: one point per period, a line through the periods with data (a gap where
//        there is none), the target as a dashed line, and axis labels.
//   describeTrend({points, kind, target, title}) that summary in words.
//
// points: [{label: "December 2025", tick: "Dec", year: "2025" | '', value: number|null}].
import { formatValue, KINDS } from './kpis-targets.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element: attributes set with setAttribute, children text or nodes (el()'s rules). */
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    const lower = name.toLowerCase();
    if (lower.startsWith('on') || lower === 'style' || lower === 'href' || lower === 'xlink:href') {
      throw new Error(`svg(): the attribute '${name}' is not allowed`);
    }
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { top: 44, right: 16, bottom: 56, left: 72 };

/** A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten, at least max. */
function niceCeiling(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

const round = (n) => Math.round(n * 10) / 10;

/** @returns {string} the chart in words, for its aria-label */
export function describeTrend({ points, kind, target, title }) {
  const withData = points.filter((p) => p.value !== null && p.value !== undefined);
  const span = points.length > 0 ? `${points[0].label} to ${points[points.length - 1].label}` : 'no periods';
  const parts = [`${title}: trend from ${span}.`];
  if (withData.length === 0) {
    parts.push('No data in any period.');
  } else {
    const low = withData.reduce((a, b) => (b.value < a.value ? b : a));
    const high = withData.reduce((a, b) => (b.value > a.value ? b : a));
    const last = withData[withData.length - 1];
    parts.push(`Lowest ${formatValue(kind, low.value)} (${low.label}), highest ${formatValue(kind, high.value)} ` +
      `(${high.label}), latest ${formatValue(kind, last.value)} (${last.label}).`);
    const missing = points.length - withData.length;
    if (missing > 0) parts.push(`${missing} ${missing === 1 ? 'period has' : 'periods have'} no data.`);
  }
  if (target) parts.push(`Target: ${formatValue(kind, target.value)} or ${target.better === 'higher' ? 'more' : 'less'}.`);
  return parts.join(' ');
}

/**
 * @param {{points: Array<{label:string, tick:string, year:string, value:number|null}>,
 *          kind: string, target: {value:number, better:string}|null, title: string}} spec
 * @returns {SVGSVGElement}
 */
export function trendChart(spec) {
  const { points, kind, target } = spec;
  const proportion = kind === KINDS.proportion;
  const values = points.map((p) => p.value).filter((v) => v !== null && v !== undefined);
  const top = proportion ? 1 : niceCeiling(Math.max(...values, target ? target.value : 0) * 1.1);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (i) => MARGIN.left + (points.length <= 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (v) => MARGIN.top + plotH - (Math.min(Math.max(v, 0), top) / top) * plotH;

  const ticks = proportion ? [0, 0.25, 0.5, 0.75, 1] : [0, top / 4, top / 2, (3 * top) / 4, top];
  const tickText = (v) => (proportion ? `${Math.round(v * 100)}%` : String(round(v)));
  const grid = ticks.map((v) => [
    svg('line', { class: 'ct-kpis-chart__grid', x1: MARGIN.left, x2: MARGIN.left + plotW, y1: round(y(v)), y2: round(y(v)) }),
    svg('text', { class: 'ct-kpis-chart__tick', x: MARGIN.left - 8, y: round(y(v)), 'dominant-baseline': 'middle', 'text-anchor': 'end' }, tickText(v)),
  ]);

  // Label every period when they fit, else every second or third one (always the first and last).
  const every = Math.ceil(points.length / 12);
  const xLabels = points.map((p, i) => {
    if (i % every !== 0 && i !== points.length - 1) return null;
    // Every other label is minor: on a narrow screen (larger text) only the major ones show.
    const minor = i % (2 * every) !== 0 && i !== points.length - 1;
    return svg('text', {
      class: `ct-kpis-chart__tick${minor ? ' ct-kpis-chart__tick--minor' : ''}`, x: round(x(i)), y: MARGIN.top + plotH + 20, 'text-anchor': 'middle',
    },
      svg('tspan', { x: round(x(i)) }, p.tick),
      p.year ? svg('tspan', { x: round(x(i)), dy: '1.2em' }, p.year) : null);
  });

  // The line: one path, broken where a period has no data.
  let d = '';
  let pen = false;
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${round(x(i))} ${round(y(p.value))} `;
    pen = true;
  });
  const dots = points.map((p, i) => (p.value === null || p.value === undefined ? null
    : svg('circle', { class: 'ct-kpis-chart__point', cx: round(x(i)), cy: round(y(p.value)), r: 5 },
      svg('title', null, `${p.label}: ${formatValue(kind, p.value)}`))));

  const targetLine = target ? (() => {
    const ty = y(target.value);
    const text = `Target ${formatValue(kind, target.value)}`;
    // The label goes where no point is: above or below the line, at its right or left end (its
    // box is reckoned at the narrow screen's text size, the larger).
    const width = text.length * 14;
    const spots = [
      { x: MARGIN.left + plotW, anchor: 'end', y: ty - 8, box: [MARGIN.left + plotW - width, ty - 30, MARGIN.left + plotW, ty] },
      { x: MARGIN.left + plotW, anchor: 'end', y: ty + 26, box: [MARGIN.left + plotW - width, ty, MARGIN.left + plotW, ty + 30] },
      { x: MARGIN.left + 8, anchor: 'start', y: ty - 8, box: [MARGIN.left, ty - 30, MARGIN.left + 8 + width, ty] },
      { x: MARGIN.left + 8, anchor: 'start', y: ty + 26, box: [MARGIN.left, ty, MARGIN.left + 8 + width, ty + 30] },
    ];
    const clear = (spot) => points.every((p, i) => p.value === null || p.value === undefined ||
      x(i) < spot.box[0] - 6 || x(i) > spot.box[2] + 6 || y(p.value) < spot.box[1] - 6 || y(p.value) > spot.box[3] + 6);
    const spot = spots.find(clear) ?? spots[0];
    return [
      svg('line', {
        class: 'ct-kpis-chart__target', x1: MARGIN.left, x2: MARGIN.left + plotW, y1: round(ty), y2: round(ty),
      }),
      svg('text', { class: 'ct-kpis-chart__target-label', x: round(spot.x), y: round(spot.y), 'text-anchor': spot.anchor }, text),
    ];
  })() : null;

  const unit = proportion ? 'Per cent' : kind === KINDS.weeks ? 'Weeks' : 'Days';
  return svg('svg', {
    class: 'ct-kpis-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': describeTrend(spec),
    focusable: 'false',
  },
  grid,
  svg('line', { class: 'ct-kpis-chart__axis', x1: MARGIN.left, x2: MARGIN.left + plotW, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH }),
  svg('line', { class: 'ct-kpis-chart__axis', x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + plotH }),
  svg('text', { class: 'ct-kpis-chart__axis-label', x: MARGIN.left, y: MARGIN.top - 16, 'text-anchor': 'middle' }, unit),
  xLabels,
  targetLine,
  d ? svg('path', { class: 'ct-kpis-chart__line', d: d.trim() }) : null,
  dots);
}
