// child-diagram.js: a journey's states and transitions (GET /v1/journeys) drawn as an inline SVG,
// with the child's current state highlighted, for the child's page (child.js).
//
//   journeyFigure(journey, current)   a <div> with the diagram (in a horizontally scrollable
//                                     container) and, next to it, the journey's states in words
//                                     as a list, the current one marked "current".
//   layout(journey)                   the layered layout alone (tested in the browser).
//
// The layout: the initial state in the first column, then each state in the column of its
// breadth-first distance from it over the transitions (states it cannot reach: one column
// further); in a column, the states in the journey's order. An arrow for each pair of states
// an action leads between (self-transitions, which change no state, are not drawn): between
// neighbouring columns a straight line (the lines at a box's side spread along it, a pair of
// opposite arrows side by side), within a column a vertical line, back more than one column a
// dashed line along a lane under the boxes.
//
// SVG elements are made with createElementNS by svg() below, with el()'s rules: attributes by
// setAttribute (no on* handlers, no style), text as text nodes. Colours and fonts come from
// the CSS (web/src/scss/_child.scss): nothing inline.
import { el } from './dom.js';
import { journeyName, stateWords } from './child-words.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

const BOX_WIDTH = 140;
const BOX_HEIGHT = 78;
const COLUMN_GAP = 44;
const ROW_GAP = 26;
const PAD = 10;
const LINE_HEIGHT = 16;
const CHARS_PER_LINE = 17;
const LANE_GAP = 14;
const TWIN_OFFSET = 7; // twins within a column: side by side

/** An SVG element; attrs and children as dom.js's el(). */
export function svg(tag, attrs, ...children) {
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

/** Splits text into lines of at most `width` characters, at spaces (a longer word stays whole). */
export function wrap(text, width = CHARS_PER_LINE) {
  const lines = [];
  let line = '';
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The layered layout of a journey.
 * @param {{initial_state: string, states: string[], transitions: Array<{from, to, action}>}} journey
 * @returns {{boxes: Map<string, {state, column, row, x, y}>, edges: Array<{from, to}>, columns: number, rows: number, width: number, height: number}}
 */
export function layout(journey) {
  const states = [...journey.states];
  if (!states.includes(journey.initial_state)) states.unshift(journey.initial_state);
  const known = new Set(states);
  const next = new Map(states.map((s) => [s, []]));
  const edges = [];
  const seen = new Set();
  for (const t of journey.transitions) {
    if (t.from === t.to || !known.has(t.from) || !known.has(t.to)) continue;
    const key = `${t.from}\u0000${t.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from: t.from, to: t.to });
    next.get(t.from).push(t.to);
  }
  // Breadth-first distances from the initial state.
  const column = new Map([[journey.initial_state, 0]]);
  const queue = [journey.initial_state];
  while (queue.length > 0) {
    const state = queue.shift();
    for (const to of next.get(state)) {
      if (!column.has(to)) {
        column.set(to, column.get(state) + 1);
        queue.push(to);
      }
    }
  }
  const reached = Math.max(...column.values());
  for (const state of states) {
    if (!column.has(state)) column.set(state, reached + 1);
  }
  const columns = Math.max(...column.values()) + 1;
  const byColumn = Array.from({ length: columns }, () => []);
  for (const state of states) byColumn[column.get(state)].push(state);
  const rows = Math.max(...byColumn.map((c) => c.length));

  const boxes = new Map();
  byColumn.forEach((list, c) => {
    // Centre a shorter column against the tallest.
    const offset = ((rows - list.length) * (BOX_HEIGHT + ROW_GAP)) / 2;
    list.forEach((state, r) => {
      boxes.set(state, {
        state,
        column: c,
        row: r,
        last: r === list.length - 1,
        x: PAD + c * (BOX_WIDTH + COLUMN_GAP),
        y: PAD + offset + r * (BOX_HEIGHT + ROW_GAP),
      });
    });
  });
  const long = edges.filter((e) => boxes.get(e.from).column - boxes.get(e.to).column > 1);
  const lanes = long.length;
  // A lane leaving a box of the last column that has a box below it goes round its right side.
  const rightMargin = long.some((e) => boxes.get(e.from).column === columns - 1 && !boxes.get(e.from).last)
    ? COLUMN_GAP / 2 + 10 : 0;
  const boxesHeight = rows * (BOX_HEIGHT + ROW_GAP) - ROW_GAP;
  return {
    boxes,
    edges,
    columns,
    rows,
    width: PAD * 2 + columns * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP + rightMargin,
    height: PAD * 2 + boxesHeight + (lanes > 0 ? lanes * LANE_GAP + LANE_GAP : 0),
    boxesBottom: PAD + boxesHeight,
  };
}

/**
 * Where the edges between neighbouring columns meet their boxes: each box side's edges spread
 * along it, ordered by the height of the box at the other end (and a left-to-right edge above
 * its right-to-left twin), so edges to different boxes do not start from one point and twins
 * run parallel. Answers Map(edge -> {fromY, toY}).
 */
function ports(plan) {
  const sides = new Map(); // "state|right" -> [{edge, other, order}]
  const side = (state, which) => {
    const key = `${state}|${which}`;
    if (!sides.has(key)) sides.set(key, []);
    return sides.get(key);
  };
  for (const edge of plan.edges) {
    const a = plan.boxes.get(edge.from);
    const b = plan.boxes.get(edge.to);
    if (Math.abs(a.column - b.column) !== 1) continue;
    const [left, right] = a.column < b.column ? [a, b] : [b, a];
    const order = a.column < b.column ? 0 : 1;
    side(left.state, 'right').push({ edge, other: right, order });
    side(right.state, 'left').push({ edge, other: left, order });
  }
  const result = new Map();
  for (const [key, list] of sides) {
    const box = plan.boxes.get(key.slice(0, key.lastIndexOf('|')));
    list.sort((x, y) => x.other.y - y.other.y || x.order - y.order);
    const step = list.length > 1 ? Math.min(14, (BOX_HEIGHT - 20) / (list.length - 1)) : 0;
    list.forEach(({ edge }, i) => {
      const y = box.y + BOX_HEIGHT / 2 + (i - (list.length - 1) / 2) * step;
      const entry = result.get(edge) ?? {};
      if (edge.from === box.state) entry.fromY = y;
      else entry.toY = y;
      result.set(edge, entry);
    });
  }
  return result;
}

/** The SVG path of an edge. */
function edgePath(edge, plan, lane, twins, port) {
  const a = plan.boxes.get(edge.from);
  const b = plan.boxes.get(edge.to);
  const mid = (box) => box.y + BOX_HEIGHT / 2;
  const centre = (box) => box.x + BOX_WIDTH / 2;
  const twin = twins.has(`${edge.to}\u0000${edge.from}`);
  if (b.column === a.column + 1) {
    return `M ${a.x + BOX_WIDTH} ${port.fromY} L ${b.x - 2} ${port.toY}`;
  }
  if (b.column === a.column - 1) {
    return `M ${a.x} ${port.fromY} L ${b.x + BOX_WIDTH + 2} ${port.toY}`;
  }
  if (b.column === a.column) {
    const dx = twin ? (a.row < b.row ? -TWIN_OFFSET : TWIN_OFFSET) : 0;
    if (Math.abs(a.row - b.row) === 1) {
      return a.row < b.row
        ? `M ${centre(a) + dx} ${a.y + BOX_HEIGHT} L ${centre(b) + dx} ${b.y - 2}`
        : `M ${centre(a) + dx} ${a.y} L ${centre(b) + dx} ${b.y + BOX_HEIGHT + 2}`;
    }
    // Rows apart: a curve on the right of the column.
    const x = a.x + BOX_WIDTH;
    const bulge = x + COLUMN_GAP * 0.8;
    return `M ${x} ${mid(a)} C ${bulge} ${mid(a)} ${bulge} ${mid(b)} ${x + 2} ${mid(b)}`;
  }
  // Back more than one column (or forward more, which breadth-first layers never give): along
  // a lane under the boxes, leaving from the bottom of its box, or, when another box is below
  // it, from its side: the right in the last column (nothing is there), else the left, into the
  // gap between the columns.
  const laneY = plan.boxesBottom + LANE_GAP * (lane + 1);
  // Each lane arrives at its own point along the bottom of the box.
  const toX = b.x + 16 + ((lane * 18) % (BOX_WIDTH - 32));
  const toY = b.y + BOX_HEIGHT + 2;
  if (a.last) {
    const fromX = centre(a) + ((lane % 3) - 1) * 12;
    return `M ${fromX} ${a.y + BOX_HEIGHT} L ${fromX} ${laneY} L ${toX} ${laneY} L ${toX} ${toY}`;
  }
  const spread = (lane % 3) * 5 - 5;
  if (a.column === plan.columns - 1) {
    const outX = a.x + BOX_WIDTH + COLUMN_GAP / 2 + spread;
    return `M ${a.x + BOX_WIDTH} ${mid(a)} L ${outX} ${mid(a)} L ${outX} ${laneY} L ${toX} ${laneY} L ${toX} ${toY}`;
  }
  const gapX = a.x - COLUMN_GAP / 2 + spread;
  return `M ${a.x} ${mid(a)} L ${gapX} ${mid(a)} L ${gapX} ${laneY} L ${toX} ${laneY} L ${toX} ${toY}`;
}

/**
 * The diagram of one journey with its current state highlighted.
 * @param {object} journey  an element of GET /v1/journeys's journeys
 * @param {string} current  the child's state in it
 * @returns {SVGSVGElement}
 */
export function journeyDiagram(journey, current) {
  const plan = layout(journey);
  const markerId = `ct-child-arrow-${journey.journey.replace(/[^a-z0-9_-]/gi, '')}`;
  const twins = new Set(plan.edges.map((e) => `${e.from}\u0000${e.to}`));
  const edgePorts = ports(plan);
  let lane = 0;
  const paths = plan.edges.map((edge) => {
    const a = plan.boxes.get(edge.from);
    const b = plan.boxes.get(edge.to);
    const long = a.column - b.column > 1 || b.column - a.column > 1;
    const d = edgePath(edge, plan, long ? lane : 0, twins, edgePorts.get(edge));
    if (long) lane += 1;
    return svg('path', {
      class: `ct-child-diagram__edge${long ? ' ct-child-diagram__edge--back' : ''}`,
      d,
      'marker-end': `url(#${markerId})`,
      'data-from': edge.from,
      'data-to': edge.to,
    });
  });
  const boxes = [...plan.boxes.values()].map((box) => {
    const isCurrent = box.state === current;
    const lines = wrap(stateWords(box.state));
    if (isCurrent) lines.push('(current)');
    const top = box.y + BOX_HEIGHT / 2 - ((lines.length - 1) * LINE_HEIGHT) / 2;
    return svg('g', {
      class: `ct-child-diagram__state${isCurrent ? ' ct-child-diagram__state--current' : ''}`,
      'data-state': box.state,
    },
    svg('rect', {
      class: 'ct-child-diagram__box', x: box.x, y: box.y, width: BOX_WIDTH, height: BOX_HEIGHT, rx: 4,
    }),
    svg('text', { class: 'ct-child-diagram__label', x: box.x + BOX_WIDTH / 2, y: top, 'text-anchor': 'middle', 'dominant-baseline': 'middle' },
      lines.map((line, i) => svg('tspan', {
        x: box.x + BOX_WIDTH / 2,
        dy: i === 0 ? 0 : LINE_HEIGHT,
        class: isCurrent && i === lines.length - 1 ? 'ct-child-diagram__current-word' : null,
      }, line))));
  });
  return svg('svg', {
    class: 'ct-child-diagram',
    role: 'img',
    'aria-label': `${journeyName(journey.journey)}: now ${current}`,
    width: plan.width,
    height: plan.height,
    viewBox: `0 0 ${plan.width} ${plan.height}`,
    focusable: 'false',
  },
  svg('defs', null,
    svg('marker', {
      id: markerId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
    }, svg('path', { class: 'ct-child-diagram__arrow', d: 'M 0 0 L 10 5 L 0 10 z' }))),
  svg('g', { class: 'ct-child-diagram__edges' }, paths),
  svg('g', { class: 'ct-child-diagram__states' }, boxes));
}

/**
 * A journey's diagram (scrollable when wider than the page) and its states in words, the current
 * one marked.
 * @param {object|undefined} journey  from GET /v1/journeys (undefined: not known; the list only)
 * @param {string} journeyId @param {string} current
 * @returns {HTMLElement}
 */
export function journeyFigure(journey, journeyId, current) {
  const name = journeyName(journeyId);
  const states = journey ? journey.states : [current];
  const list = el('div', { class: 'ct-child-journey__states' },
    el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1', id: `journey-${journeyId}-states` },
      `The states of ${name.toLowerCase()}:`),
    el('ol', { class: 'govuk-list govuk-list--number govuk-!-font-size-16', 'aria-labelledby': `journey-${journeyId}-states` },
      states.map((state) => el('li', { class: state === current ? 'ct-child-journey__current' : null },
        state === current ? [el('strong', null, stateWords(state)), ' (current)'] : stateWords(state)))));
  const figure = journey
    ? el('div', {
      class: 'ct-child-journey__scroll',
      tabindex: '0',
      role: 'region',
      'aria-label': `Diagram of ${name.toLowerCase()}`,
    }, journeyDiagram(journey, current))
    : el('p', { class: 'govuk-body' }, 'This journey has no diagram.');
  return el('div', { class: 'ct-child-journey', 'data-journey': journeyId }, figure, list);
}
