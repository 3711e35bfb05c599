// kpis-targets.js: what each measure of GET /v1/kpis means in plain words, and the target or
// comparator the seeds give for it, with the citation (file:line in /work/shared/domain/ and the
// seed's own line, e.g. SE:657). Imports nothing and touches no DOM: the tests import it too.
//
// A target here is the figure the seeds report for Birmingham (2023-24 unless said otherwise) or
// a statutory limit, never a number made up for the dashboard. Where the seeds give no figure
// (the measure is a chart only, or not measured at all), `target` is null and the page says so
// instead of judging the value.
//
//   MEASURES            [{name, group, title, kind, counted(n, d), rules, target}] in page order
//   GROUPS              [{id, title}] the headings the measures are grouped under
//   measureInfo(name)   the entry for a measure (a measure not listed: a plain-words fallback)
//   formatValue(kind, value)   "93.8%", "16.9 weeks", "4.6 days"; "No data" for null
//   judge(info, value)  'met', 'not met', 'no data' or 'no target'
//   targetText(info)    "90% or more"

/** How a value reads: proportions as percentages, averages in weeks or days. */
export const KINDS = Object.freeze({ proportion: 'proportion', weeks: 'weeks', days: 'days' });

export const GROUPS = Object.freeze([
  { id: 'front-door', title: 'Front door and assessment' },
  { id: 'protection', title: 'Child protection' },
  { id: 'visits', title: 'Visits to children' },
  { id: 'care', title: 'Children in care' },
  { id: 'court', title: 'Pre-proceedings and care proceedings' },
  { id: 'workforce', title: 'Allocation and recording' },
  { id: 'other', title: 'Other measures' },
]);

const SEED = 'seed-spec.md';
const STATUTE = 'statutory-rules.md';

const plural = (n, one, many) => (Number(n) === 1 ? one : many);
const count = (n) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(n);

/**
 * The measures, in the order the page shows them. target: {value, better ('higher'|'lower'),
 * text (what the figure is, in words), cite (where it comes from)} or null; noTarget: why there
 * is none (with its citation).
 */
export const MEASURES = Object.freeze([
  {
    name: 'decisions_within_1_working_day',
    group: 'front-door',
    title: 'Decisions on referrals made within 1 working day',
    kind: KINDS.proportion,
    rules: ['T-01'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'decision', 'decisions')} made within 1 working day of the referral`,
    target: {
      id: 'K-F7',
      value: 0.81,
      better: 'higher',
      text: 'The Trust decided 81% of referrals within 24 hours in 2023-24 (the seeds count hours; ' +
        'this measure counts working days, as Working Together does).',
      cite: `${SEED}:1114 (SE:657)`,
    },
  },
  {
    name: 'assessments_within_45_working_days',
    group: 'front-door',
    title: 'Assessments completed within 45 working days of the referral',
    kind: KINDS.proportion,
    rules: ['T-14'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'assessment', 'assessments')} completed within 45 working days`,
    target: {
      id: 'K-F12',
      value: 0.9,
      better: 'higher',
      text: 'The Trust completed 90% of assessments in time over 2023-24.',
      cite: `${SEED}:1119 (SE:676)`,
    },
  },
  {
    name: 'icpc_within_15_working_days',
    group: 'protection',
    title: 'Initial child protection conferences within 15 working days of the strategy discussion',
    kind: KINDS.proportion,
    rules: ['T-06'],
    counted: (n, d) => `${count(n)} of ${count(d)} initial ${plural(d, 'conference', 'conferences')} held within 15 working days`,
    target: null,
    noTarget: {
      id: 'K-P5',
      text: 'The seeds show this only as a trend chart, with no figure in the text ("better than ' +
        'comparators and the national average"). The 15 working days are statutory (Working Together).',
      cite: `${SEED}:1158 (SE:975; SE:911); ${STATUTE}:51`,
    },
  },
  {
    name: 'core_groups_within_10_working_days',
    group: 'protection',
    title: 'First core group meetings within 10 working days of the initial conference',
    kind: KINDS.proportion,
    rules: ['N-08'],
    counted: (n, d) => `${count(n)} of ${count(d)} first core ${plural(d, 'group', 'groups')} held within 10 working days`,
    target: null,
    noTarget: {
      id: 'N-08',
      text: 'The seeds report no figure for this. The 10 working days come from Working Together 2018 ' +
        'and local procedures.',
      cite: `${STATUTE}:56`,
    },
  },
  {
    name: 'repeat_cp_plans_within_24_months',
    group: 'protection',
    title: 'Child protection plans that were a second plan within 24 months',
    kind: KINDS.proportion,
    rules: ['T-10'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'plan', 'plans')} started in the period followed an earlier plan that ended within 24 months`,
    target: {
      id: 'K-P3',
      value: 0.11,
      better: 'lower',
      text: '11% of the Trust\'s new plans in 2023-24 were a second plan within 24 months.',
      cite: `${SEED}:1156 (SE:970-972)`,
    },
  },
  {
    name: 'cp_plans_over_2_years',
    group: 'protection',
    title: 'Child protection plans open for longer than 2 years',
    kind: KINDS.proportion,
    rules: ['T-09'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'plan', 'plans')} open at the end of the period had been open for more than 2 years`,
    target: {
      id: 'K-P4',
      value: 0.02,
      better: 'lower',
      text: 'Only 2% of the Trust\'s children on a plan had had it for longer than 2 years in 2023-24.',
      cite: `${SEED}:1157 (SE:911)`,
    },
  },
  {
    name: 'visits_in_time',
    group: 'visits',
    title: 'Statutory visits made in time (child protection, child in need and children in care)',
    kind: KINDS.proportion,
    rules: ['N-10', 'T-11', 'N-19a', 'N-19b', 'N-19c'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'visit', 'visits')} made within their timescale`,
    target: {
      id: 'K-N2',
      value: 0.71,
      better: 'higher',
      text: '71% of the Trust\'s child in need visits were in time at the end of March 2024. The ' +
        'seeds\' figure is for children in need only; this measure counts every statutory visit.',
      cite: `${SEED}:1140 (SE:891)`,
    },
  },
  {
    name: 'looked_after_reviews_in_time',
    group: 'care',
    title: 'Reviews of children in care held in time',
    kind: KINDS.proportion,
    rules: ['N-12', 'N-13', 'N-14'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'review', 'reviews')} held by their due date`,
    target: {
      id: 'K-C11',
      value: 0.94,
      better: 'higher',
      text: 'The Trust held 94% of children in care reviews in time in 2023-24.',
      cite: `${SEED}:1193 (SE:1224)`,
    },
  },
  {
    name: 'permanence_plan_by_second_review',
    group: 'care',
    title: 'Children in care with a permanence plan by their second review',
    kind: KINDS.proportion,
    rules: ['N-13'],
    counted: (n, d) => `${count(n)} of ${count(d)} second ${plural(d, 'review', 'reviews')} found a permanence plan in place`,
    target: {
      id: 'K-C3',
      value: 0.86,
      better: 'higher',
      text: '86% of the Trust\'s children in care had a permanence plan by their second review in 2023-24.',
      cite: `${SEED}:1185 (SE:1176)`,
    },
  },
  {
    name: 'children_in_care_with_3_or_more_placements_in_12_months',
    group: 'care',
    title: 'Children in care with three or more placements in the last 12 months',
    kind: KINDS.proportion,
    rules: ['T-49'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'child', 'children')} looked after at the end of the period had three or more placements in its last 12 months`,
    target: {
      id: 'K-C9',
      value: 0.07,
      better: 'lower',
      text: '7% of the Trust\'s children in care had three or more placements in 12 months in 2023-24 ' +
        '(comparators 9%, England 10%).',
      cite: `${SEED}:1191 (SE:1433)`,
    },
  },
  {
    name: 'children_in_care_2_5_years_in_the_same_placement_2_years',
    group: 'care',
    title: 'Children under 16 in care for 2.5 years or more who have lived in the same placement for 2 years',
    kind: KINDS.proportion,
    rules: ['T-49'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'child', 'children')} under 16, looked after for 2.5 years or more, had been in the same placement for 2 years`,
    target: {
      id: 'K-C10',
      value: 0.67,
      better: 'higher',
      text: '67% of the Trust\'s children had lived in their home for 2.5 years or more in 2023-24 ' +
        '(comparators and England 69%).',
      cite: `${SEED}:1192 (SE:1436)`,
    },
  },
  {
    name: 'adoption_placed_within_12_months_of_decision',
    group: 'care',
    title: 'Children placed for adoption within 12 months of the decision that they should be',
    kind: KINDS.proportion,
    rules: ['T-50'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'child', 'children')} placed for adoption within 12 months of the decision`,
    target: {
      id: 'K-A3',
      value: 0.84,
      better: 'higher',
      text: '84% of the children Adopt Birmingham placed were placed within 12 months of their plan in 2023-24.',
      cite: `${SEED}:1217 (SE:1459)`,
    },
  },
  {
    name: 'average_days_entering_care_to_placed_for_adoption',
    group: 'care',
    title: 'Average time from entering care to moving in with the adoptive family (A1)',
    kind: KINDS.days,
    rules: [],
    counted: (n, d) => `${count(d)} ${plural(d, 'child', 'children')} placed for adoption in the period, ${count(n)} days in care before it in all`,
    target: {
      id: 'K-A4',
      value: 560,
      better: 'lower',
      text: 'The Trust\'s average A1 timeliness was 560 days in 2023-24 (575 and 668 the two years before).',
      cite: `${SEED}:1218 (SE:1460)`,
    },
  },
  {
    name: 'placed_for_adoption_within_16_months_of_entering_care',
    group: 'care',
    title: 'Children placed for adoption within 16 months of entering care',
    kind: KINDS.proportion,
    rules: ['T-53'],
    counted: (n, d) => `${count(n)} of ${count(d)} ${plural(d, 'child', 'children')} placed for adoption moved in within 16 months of entering care`,
    target: {
      id: 'K-A6',
      value: 0.38,
      better: 'higher',
      text: '38% of the children placed for adoption in 2015-16 waited less than 16 months (England 47%; ' +
        'the seeds give no later figure).',
      cite: `${SEED}:1220 (CP:471-473)`,
    },
  },
  {
    name: 'average_days_authority_to_place_to_match',
    group: 'care',
    title: 'Average time from the authority to place for adoption to the match (A2)',
    kind: KINDS.days,
    rules: [],
    counted: (n, d) => `${count(d)} ${plural(d, 'match', 'matches')} approved in the period, ${count(n)} days from the authority to place in all`,
    target: {
      id: 'K-A6',
      value: 263,
      better: 'lower',
      text: 'In 2015-16 the average from the authority to place to the match was 263 days (England 223; ' +
        'the seeds give no later figure).',
      cite: `${SEED}:1220 (CP:470)`,
    },
  },
  {
    name: 'average_weeks_in_pre_proceedings',
    group: 'court',
    title: 'Average time in pre-proceedings',
    kind: KINDS.weeks,
    rules: ['T-31'],
    counted: (n, d) => `${count(d)} pre-proceedings concluded in the period, ${count(n)} weeks in all`,
    target: {
      id: 'K-L3',
      value: 15,
      better: 'lower',
      text: 'The Trust\'s pre-proceedings lasted 15 weeks on average; the national study\'s average was 21 weeks.',
      cite: `${SEED}:1172 (SE:1027)`,
    },
  },
  {
    name: 'diversion_from_proceedings',
    group: 'court',
    title: 'Pre-proceedings that ended without care proceedings (diversion)',
    kind: KINDS.proportion,
    rules: [],
    counted: (n, d) => `${count(n)} of ${count(d)} pre-proceedings concluded with the family stepped down instead of going to court`,
    target: {
      id: 'K-L2',
      value: 0.35,
      better: 'higher',
      text: 'The Trust diverted 35 to 37% of pre-proceedings from care proceedings.',
      cite: `${SEED}:1171 (SE:1027)`,
    },
  },
  {
    name: 'average_weeks_of_care_proceedings',
    group: 'court',
    title: 'Average length of care proceedings, from issue to final order',
    kind: KINDS.weeks,
    rules: ['T-32'],
    counted: (n, d) => `${count(d)} care ${plural(d, 'proceeding', 'proceedings')} ended in the period, ${count(n)} weeks in all`,
    target: {
      id: 'T-32',
      value: 26,
      better: 'lower',
      text: 'The law allows 26 weeks from issue (Children Act 1989 s32(1)(a)(ii)). The Trust\'s ' +
        'average from April 2023 to March 2024 was 40 weeks (K-L5).',
      cite: `${SEED}:940; ${SEED}:1174 (SE:1180); ${STATUTE}:79`,
    },
  },
  {
    name: 'average_weeks_of_care_proceedings_with_pre',
    group: 'court',
    title: 'Average length of care proceedings that followed pre-proceedings',
    kind: KINDS.weeks,
    rules: ['T-32'],
    counted: (n, d) => `${count(d)} care ${plural(d, 'proceeding', 'proceedings')} after pre-proceedings ended in the period, ${count(n)} weeks in all`,
    target: {
      id: 'T-32',
      value: 26,
      better: 'lower',
      text: 'The law allows 26 weeks from issue. The Trust\'s proceedings after pre-proceedings took ' +
        '35 weeks on average in 2023-24 (K-L6).',
      cite: `${SEED}:940; ${SEED}:1175 (SE:1182); ${STATUTE}:79`,
    },
  },
  {
    name: 'average_weeks_of_care_proceedings_without_pre',
    group: 'court',
    title: 'Average length of care proceedings issued without pre-proceedings',
    kind: KINDS.weeks,
    rules: ['T-32'],
    counted: (n, d) => `${count(d)} care ${plural(d, 'proceeding', 'proceedings')} without pre-proceedings ended in the period, ${count(n)} weeks in all`,
    target: {
      id: 'T-32',
      value: 26,
      better: 'lower',
      text: 'The law allows 26 weeks from issue. The Trust\'s proceedings without pre-proceedings took ' +
        '45 weeks on average in 2023-24 (K-L6).',
      cite: `${SEED}:940; ${SEED}:1175 (SE:1182); ${STATUTE}:79`,
    },
  },
  {
    name: 'average_days_waiting_for_allocation',
    group: 'workforce',
    title: 'Average time children waited in their team for a worker',
    kind: KINDS.days,
    rules: [],
    counted: (n, d) => `${count(d)} ${plural(d, 'allocation', 'allocations')} to a worker in the period, ${count(n)} days waited in all`,
    target: null,
    noTarget: {
      id: '',
      text: 'The seeds give no figure: they ask that no child is unallocated and that every child ' +
        'has a social worker they can contact.',
      cite: `${SEED}:485 (CP:881-882)`,
    },
  },
  {
    name: 'average_recording_lag_days',
    group: 'workforce',
    title: 'Average time between an action and its recording',
    kind: KINDS.days,
    rules: [],
    counted: (n, d) => `${count(d)} ${plural(d, 'action', 'actions')} recorded in the period, ${count(n)} days of delay in all`,
    target: null,
    noTarget: {
      id: 'P-18',
      text: 'The seeds give no figure: visits are "timely but not always recorded as quickly as we ' +
        'want", so they ask for the lag to be measured.',
      cite: `${SEED}:1512 (SE:1224)`,
    },
  },
]);

const BY_NAME = new Map(MEASURES.map((m) => [m.name, m]));

/** "average_weeks_in_pre_proceedings" -> "Average weeks in pre proceedings" */
function words(name) {
  const text = String(name).replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * @param {string} name  a measure's name in the API's answer
 * @returns {object} its MEASURES entry; for a measure not listed, one in plain words with no target
 */
export function measureInfo(name) {
  const known = BY_NAME.get(name);
  if (known) return known;
  // Averages are named average_...; every other measure is a proportion.
  const average = name.startsWith('average_');
  const kind = !average ? KINDS.proportion : name.includes('weeks') ? KINDS.weeks : KINDS.days;
  return {
    name,
    group: 'other',
    title: words(name),
    kind,
    rules: [],
    counted: (n, d) => (kind === KINDS.proportion ? `${count(n)} of ${count(d)}` : `${count(d)} counted, ${count(n)} ${kind} in all`),
    target: null,
    noTarget: { id: '', text: 'This measure is not described in the seeds.', cite: '' },
  };
}

const oneDecimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/**
 * @param {string} kind  KINDS
 * @param {number|null} value  a proportion (0 to 1) or an average
 * @returns {string} "93.8%", "16.9 weeks", "1 day"; "No data" for null
 */
export function formatValue(kind, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'No data';
  if (kind === KINDS.proportion) return `${oneDecimal.format(value * 100)}%`;
  const text = oneDecimal.format(value);
  const unit = kind === KINDS.weeks ? 'week' : 'day';
  return `${text} ${text === '1' ? unit : `${unit}s`}`;
}

/** @returns {string} the target in words: "90% or more", "26 weeks or fewer" */
export function targetText(info) {
  const t = info.target;
  if (!t) return '';
  return `${formatValue(info.kind, t.value)} or ${t.better === 'higher' ? 'more' : info.kind === KINDS.proportion ? 'less' : 'fewer'}`;
}

/**
 * @returns {'met'|'not met'|'no data'|'no target'} the value against the measure's target
 */
export function judge(info, value) {
  if (value === null || value === undefined) return 'no data';
  if (!info.target) return 'no target';
  const { value: target, better } = info.target;
  // Compared as shown (to a tenth of a per cent, or of a week or day): a value that reads as the
  // target meets it.
  const scale = info.kind === KINDS.proportion ? 1000 : 10;
  const shown = Math.round(value * scale);
  const goal = Math.round(target * scale);
  return (better === 'higher' ? shown >= goal : shown <= goal) ? 'met' : 'not met';
}
