// allegations.js: the LADO's register (web/src/allegations.html, /ui/allegations.html), for the
// LADO team, auditors and admins only (roles.js's PAGES; the API refuses everyone else): every
// allegation against someone who works with children (GET /v1/allegations), with its referral,
// evaluation, outcome and its two timescales (T-100, the referrer's working day; T-103, the
// LADO's evaluation in a working day), and the summary (KCSIE Part 4's resolution windows).
// Each reading of the register is recorded in the access log.
import { api } from './api.js';
import { el, formatDate, replace, summaryList, table, tag } from './dom.js';
import { initGovuk, renderProblem, startPage } from './page.js';
import { stateWords } from './child-words.js';

const TITLE = 'Allegations';
const { main } = await startPage({ title: TITLE });

const words = (value) => (value ? value.replaceAll('_', ' ') : '–');
const timescale = (d) => {
  if (!d) return '–';
  const colour = { met: 'green', met_late: 'orange', breached: 'red', open: 'blue', cancelled: 'grey' }[d.status] ?? 'grey';
  return el('span', null, formatDate(d.due), ' ', tag(words(d.status), colour));
};
const percent = (value) => (value === null || value === undefined ? 'No data' : `${Math.round(value)}%`);

try {
  const answer = await api.get('/v1/allegations');
  const s = answer.summary;
  const rows = answer.allegations.map((a) => [
    a.allegation,
    a.referred_at ? formatDate(a.referred_at.slice(0, 10)) : '–',
    words(a.sector),
    words(a.criteria),
    stateWords(a.state),
    words(a.outcome || a.evaluation),
    timescale(a.t100_referral),
    timescale(a.t103_evaluation),
  ]);
  const outcomes = Object.entries(s.outcomes).map(([o, n]) => `${words(o)} ${n}`).join(', ') || 'None yet';
  replace(main,
    el('h1', { class: 'govuk-heading-l' }, TITLE),
    el('p', { class: 'govuk-body' }, 'Allegations against people who work with children, managed by the LADO. They are ' +
      'about adults: only the LADO team and auditors read them, and each reading is recorded.'),
    summaryList([
      ['Referred', String(s.referred)],
      ['Open', String(s.open)],
      ['Closed at evaluation', String(s.closed_at_evaluation)],
      ['Concluded', `${s.concluded} (${outcomes})`],
      ['Referred late (T-100)', String(s.t100_referred_late)],
      ['Evaluated late (T-103)', `${s.t103_evaluated_late}, and ${s.t103_overdue} awaiting evaluation past its day`],
      ['Concluded within 1, 3 and 12 months', `${percent(s.concluded_within_1_month_pct)}, ` +
        `${percent(s.concluded_within_3_months_pct)}, ${percent(s.concluded_within_12_months_pct)} ` +
        '(KCSIE Part 4 expects 80%, 90% and nearly all)'],
    ]),
    rows.length === 0
      ? el('p', { class: 'govuk-body', id: 'no-allegations' }, 'No allegation has been referred.')
      : table({
        caption: `${rows.length} ${rows.length === 1 ? 'allegation' : 'allegations'}, most recent first`,
        head: ['Allegation', 'Referred', 'Sector', 'Criteria', 'Where it stands', 'Evaluation or outcome',
          'Referrer\'s working day (T-100)', 'LADO evaluation (T-103)'],
        rows,
        rowHeaders: true,
      }));
  initGovuk(main);
} catch (error) {
  renderProblem(main, error);
}
main.setAttribute('aria-busy', 'false');
