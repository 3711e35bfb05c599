// carers.js: the register of carers (web/src/carers.html, /ui/carers.html), for every role but
// subscriber services (roles.js's PAGES): foster carers, connected persons and prospective
// adopters (GET /v1/carers), each with where they stand, the terms of their approval, the
// children placed with them now, their vacancies, and when their next review (T-121) and
// unannounced visit (T-121u) are due; a summary above. The kind and "with a place free" are kept
// in the page's URL (?kind=&vacancies=yes).
import { api } from './api.js';
import { el, formatDate, replace, summaryList, table, tag } from './dom.js';
import { initGovuk, renderProblem, startPage } from './page.js';
import { stateWords } from './child-words.js';

const TITLE = 'Carers';
const KINDS = { foster_carer: 'Foster carer', connected_person: 'Connected person', adopter: 'Prospective adopter' };

const { main } = await startPage({ title: TITLE });
const query = new URLSearchParams(window.location.search);
const kind = Object.hasOwn(KINDS, query.get('kind')) ? query.get('kind') : '';
const vacancies = query.get('vacancies') === 'yes';

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
const due = (date) => {
  if (!date) return '–';
  return date < today ? el('span', null, formatDate(date), ' ', tag('Overdue', 'red')) : formatDate(date);
};
const childLink = (child) => el('a', { class: 'govuk-link', href: `/ui/child.html?child=${encodeURIComponent(child)}` }, child);

const form = el('form', { class: 'ct-carers-controls', method: 'get', 'aria-label': 'Which carers' },
  el('div', { class: 'govuk-form-group' },
    el('label', { class: 'govuk-label govuk-label--s', for: 'kind' }, 'Kind of carer'),
    el('select', { class: 'govuk-select', id: 'kind', name: 'kind' },
      el('option', { value: '', selected: kind === '' }, 'All carers'),
      Object.entries(KINDS).map(([value, words]) => el('option', { value, selected: value === kind }, words)))),
  el('div', { class: 'govuk-form-group' },
    el('div', { class: 'govuk-checkboxes govuk-checkboxes--small', 'data-module': 'govuk-checkboxes' },
      el('div', { class: 'govuk-checkboxes__item' },
        el('input', { class: 'govuk-checkboxes__input', id: 'vacancies', name: 'vacancies', type: 'checkbox', value: 'yes', checked: vacancies }),
        el('label', { class: 'govuk-label govuk-checkboxes__label', for: 'vacancies' }, 'Only approved carers with a place free')))),
  el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Show'));

try {
  const answer = await api.get('/v1/carers', { kind: kind || undefined, vacancies: vacancies ? 'yes' : undefined });
  const s = answer.summary;
  const rows = answer.carers.map((c) => [
    c.carer,
    KINDS[c.kind] ?? c.kind,
    stateWords(c.state),
    c.state === 'ApprovedCarer' ? `${c.places}${c.ages ? ` (ages ${c.ages})` : ''}` : '–',
    c.children.length ? el('span', null, c.children.flatMap((child, i) => (i ? [', ', childLink(child)] : [childLink(child)]))) : 'None',
    c.state === 'ApprovedCarer' ? c.vacancies : '–',
    c.state === 'ApprovedCarer' && c.kind !== 'adopter' ? due(c.review_due) : '–',
    c.state === 'ApprovedCarer' && c.kind !== 'adopter' ? due(c.unannounced_visit_due) : '–',
  ]);
  replace(main,
    el('h1', { class: 'govuk-heading-l' }, TITLE),
    el('p', { class: 'govuk-body' }, 'Foster carers, connected persons and prospective adopters: where each stands, the ' +
      'children placed with them now (from the placements that name them) and their places free. Reviews are due at ' +
      'least yearly (T-121), as is an unannounced visit (T-121u).'),
    form,
    summaryList([
      ['Approved carers', String(s.approved)],
      ['Places free', String(s.vacancies)],
      ['Reviews overdue', String(s.reviews_overdue)],
      ['Unannounced visits overdue', String(s.unannounced_visits_overdue)],
    ]),
    rows.length === 0
      ? el('p', { class: 'govuk-body', id: 'no-carers' }, 'No carer matches.')
      : table({
        caption: `${rows.length} ${rows.length === 1 ? 'carer' : 'carers'}`,
        head: ['Carer', 'Kind', 'Where they stand', 'Places', 'Children placed now',
          { text: 'Places free', numeric: true }, 'Next review', 'Next unannounced visit'],
        rows,
        rowHeaders: true,
      }));
  initGovuk(main);
} catch (error) {
  renderProblem(main, error);
}
main.setAttribute('aria-busy', 'false');
