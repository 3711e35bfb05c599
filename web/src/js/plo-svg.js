// plo-svg.js: SVG for the PLO board (web/src/js/plo.js), by dom.js's rules.
//
//   svgEl(tag, attrs, ...children)   an SVG element (document.createElementNS): attributes set with
//                                    setAttribute, never on* handlers, style or links (the page's
//                                    CSP allows no inline style: colours are CSS classes from
//                                    web/src/scss/_plo.scss); strings become text nodes.
//   timeline(child, scaleWeeks)      the child's weeks as a bar: the weeks allowed as a track, the
//                                    weeks it has reached filled in its RAG colour, the extension
//                                    as its own part after a marker where the time first ended.
import { baseWeeks, isExtended, weeksAllowed, weekText } from './plo-model.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const REFUSED = /^(on|style$|href$|xlink:href$|src$)/i;

/**
 * Makes an SVG element. attrs: {name: value}; true sets an empty attribute, false/null/undefined
 * leave it out. children: SVG nodes, strings (text nodes), arrays; null/false/undefined skipped.
 * @returns {SVGElement}
 */
export function svgEl(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (REFUSED.test(name)) throw new Error(`svgEl(): the attribute '${name}' is not allowed`);
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  const add = (child) => {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      child.forEach(add);
    } else if (child instanceof Node) {
      node.appendChild(child);
    } else if (typeof child === 'string' || typeof child === 'number') {
      node.appendChild(document.createTextNode(String(child)));
    } else {
      throw new Error(`svgEl(): a child must be a string, number, node or array (got ${typeof child})`);
    }
  };
  children.forEach(add);
  return node;
}

export const TIMELINE_WIDTH = 120;
const HEIGHT = 18;
const BAR_Y = 5;
const BAR_HEIGHT = 8;

/** The words the bar stands for: "Week 11 of 26", and the extension if any. */
export function timelineLabel(child) {
  const base = baseWeeks(child);
  const allowed = weeksAllowed(child);
  let label = weekText(child);
  if (isExtended(child) && allowed > base) label += ` (${base} weeks extended by ${allowed - base})`;
  if (child.week > allowed) label += `, ${child.week - allowed} ${child.week - allowed === 1 ? 'week' : 'weeks'} over`;
  return label;
}

/**
 * The child's timeline bar.
 * @param {object} child  a child of GET /v1/plo
 * @param {number} scaleWeeks  the weeks the full width stands for (the same for every row)
 * @returns {SVGSVGElement}
 */
export function timeline(child, scaleWeeks) {
  const scale = Math.max(1, scaleWeeks);
  const x = (weeks) => Math.round((Math.min(Math.max(weeks, 0), scale) / scale) * TIMELINE_WIDTH * 10) / 10;
  const base = baseWeeks(child);
  const allowed = weeksAllowed(child);
  const week = Number(child.week) || 0;
  const rag = ['red', 'amber', 'green'].includes(child.rag) ? child.rag : 'none';
  return svgEl('svg', {
    class: 'ct-plo-timeline',
    role: 'img',
    'aria-label': timelineLabel(child),
    width: TIMELINE_WIDTH,
    height: HEIGHT,
    viewBox: `0 0 ${TIMELINE_WIDTH} ${HEIGHT}`,
    focusable: 'false',
  },
  // the weeks allowed before any extension
  svgEl('rect', { class: 'ct-plo-timeline__track', x: 0, y: BAR_Y, width: x(base), height: BAR_HEIGHT }),
  // the weeks an extension added
  allowed > base && svgEl('rect', {
    class: 'ct-plo-timeline__extension', x: x(base), y: BAR_Y, width: x(allowed) - x(base), height: BAR_HEIGHT,
  }),
  // the weeks reached
  week > 0 && svgEl('rect', {
    class: `ct-plo-timeline__elapsed ct-plo-timeline__elapsed--${rag}`, x: 0, y: BAR_Y, width: x(week), height: BAR_HEIGHT,
  }),
  // where the time first ended, when it was extended
  allowed > base && svgEl('line', {
    class: 'ct-plo-timeline__marker', x1: x(base), x2: x(base), y1: 1, y2: HEIGHT - 1,
  }),
  // the end of the time allowed
  svgEl('line', {
    class: 'ct-plo-timeline__end', x1: Math.max(1, x(allowed) - 1), x2: Math.max(1, x(allowed) - 1), y1: 2, y2: HEIGHT - 2,
  }));
}
