// Operations: tasks by status (retry a failed one), the dead-letter queue (its depth, replay), stats, circuit
// breakers and the latency histograms of GET /metrics drawn as bar charts (plain SVG, text only).
import {api} from '../api.js';
import {addStrings, t, time} from '../i18n.js';
import {el, go, href, notice} from '../dom.js';
import {chip, errorNotice, errorText, loading} from '../widgets.js';

addStrings({
  en: {
    'ops.heading': 'Operations', 'ops.tasks': 'Tasks', 'ops.counts': 'Tasks by status (cluster-wide)',
    'ops.status': 'Status', 'ops.count': 'Count', 'ops.list': 'Tasks', 'ops.show': 'Show',
    'ops.user': 'User id (optional)', 'ops.limit': 'How many', 'ops.task': 'Task', 'ops.retries': 'Retries',
    'ops.owner': 'User / character', 'ops.created': 'Created', 'ops.completed': 'Completed', 'ops.error': 'Error',
    'ops.retry': 'Retry', 'ops.retry.label': 'Retry task {id}', 'ops.retried': 'Task {id} is pending again.',
    'ops.notasks': 'No task with this status.', 'ops.dlq': 'Dead-letter queue',
    'ops.dlq.records': 'records in {topic}', 'ops.dlq.none': 'The metrics name no dead-letter topic.',
    'ops.replay': 'Replay the DLQ', 'ops.replayed': 'Scanned {scanned}, replayed {replayed}, skipped {skipped}.',
    'ops.stats': 'Stats', 'ops.users': 'users', 'ops.profiles': 'profiles', 'ops.events': 'events',
    'ops.summaries': 'summaries', 'ops.indexed': 'indexed records', 'ops.buffered': 'buffered messages',
    'ops.storage': 'storage bytes', 'ops.breakers': 'Circuit breakers', 'ops.breaker': 'Breaker',
    'ops.state': 'State', 'ops.closed': 'closed', 'ops.half': 'half-open', 'ops.open': 'open',
    'ops.nobreakers': 'The metrics name no breaker.', 'ops.latency': 'Latency histograms',
    'ops.latency.hint': 'Requests per bucket since the node started (upper bound in seconds).',
    'ops.nolatency': 'No latency recorded yet.', 'ops.metrics.failed': 'GET /metrics failed: {message}',
    'ops.chart': '{name}: {total} in all; {buckets}', 'ops.refresh': 'Refresh',
    'ops.forbidden': 'This key may not see this (it needs the {scope} scope).',
  },
  zh: {
    'ops.heading': '运维', 'ops.tasks': '任务', 'ops.counts': '各状态任务数（全集群）',
    'ops.status': '状态', 'ops.count': '数量', 'ops.list': '任务', 'ops.show': '查看',
    'ops.user': '用户 ID（可选）', 'ops.limit': '条数', 'ops.task': '任务', 'ops.retries': '重试次数',
    'ops.owner': '用户 / 角色', 'ops.created': '创建', 'ops.completed': '完成', 'ops.error': '错误',
    'ops.retry': '重试', 'ops.retry.label': '重试任务 {id}', 'ops.retried': '任务 {id} 已重新排队。',
    'ops.notasks': '没有这个状态的任务。', 'ops.dlq': '死信队列',
    'ops.dlq.records': '{topic} 中的记录', 'ops.dlq.none': '指标中没有死信主题。',
    'ops.replay': '重放死信队列', 'ops.replayed': '扫描 {scanned} 条，重放 {replayed} 条，跳过 {skipped} 条。',
    'ops.stats': '统计', 'ops.users': '用户', 'ops.profiles': '画像', 'ops.events': '事件',
    'ops.summaries': '摘要', 'ops.indexed': '索引记录', 'ops.buffered': '缓冲消息',
    'ops.storage': '存储字节', 'ops.breakers': '熔断器', 'ops.breaker': '熔断器',
    'ops.state': '状态', 'ops.closed': '闭合', 'ops.half': '半开', 'ops.open': '断开',
    'ops.nobreakers': '指标中没有熔断器。', 'ops.latency': '延迟直方图',
    'ops.latency.hint': '节点启动以来每个区间的请求数（上界，单位秒）。',
    'ops.nolatency': '还没有记录到延迟。', 'ops.metrics.failed': 'GET /metrics 失败：{message}',
    'ops.chart': '{name}：共 {total}；{buckets}', 'ops.refresh': '刷新',
    'ops.forbidden': '此密钥无权查看（需要 {scope} 权限）。',
  },
});

const STATUSES = ['pending', 'processing', 'completed', 'failed'];
const SVG = 'http://www.w3.org/2000/svg';
const MAX_CHARTS = 12;

/** An SVG element; attributes only (no style), text through textContent. */
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** Prometheus text → [{name, labels: {k: v}, value}] (comments skipped). */
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    const re = /(\w+)="((?:[^"\\]|\\.)*)"/g;
    let l;
    while ((l = re.exec(m[2] || '')) !== null) labels[l[1]] = l[2].replace(/\\(.)/g, (s, c) => (c === 'n' ? '\n' : c));
    out.push({name: m[1], labels, value: Number(m[3])});
  }
  return out;
}

/** The histograms in seconds: [{name, labels, buckets: [{le, count (in this bucket)}], total}], busiest first. */
export function latencyHistograms(samples) {
  const groups = new Map();
  for (const s of samples) {
    if (!s.name.endsWith('_seconds_bucket') || s.labels.le === undefined) continue;
    const {le, ...rest} = s.labels;
    const name = s.name.slice(0, -'_bucket'.length);
    const key = name + JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) || {name, labels: rest, cumulative: []};
    g.cumulative.push({le, upper: le === '+Inf' ? Infinity : Number(le), value: s.value});
    groups.set(key, g);
  }
  return [...groups.values()].map(g => {
    g.cumulative.sort((a, b) => a.upper - b.upper);
    let before = 0;
    const buckets = g.cumulative.map(b => {
      const count = Math.max(0, b.value - before);
      before = b.value;
      return {le: b.le, count};
    });
    return {name: g.name, labels: g.labels, buckets, total: before};
  }).filter(h => h.total > 0).sort((a, b) => b.total - a.total);
}

function chartLabel(h) {
  const labels = Object.entries(h.labels).map(([k, v]) => k + '=' + v).join(', ');
  return h.name + (labels ? ' {' + labels + '}' : '');
}

/** One histogram as a bar chart: a bar per bucket, its count above it, its bound under it. */
function barChart(h, index) {
  const w = 28;
  const gap = 8;
  const top = 18;
  const plot = 110;
  const width = h.buckets.length * (w + gap) + gap;
  const height = top + plot + 22;
  const max = Math.max(1, ...h.buckets.map(b => b.count));
  const title = chartLabel(h);
  const summary = t('ops.chart', {name: title, total: h.total,
    buckets: h.buckets.map(b => '≤' + b.le + ': ' + b.count).join(', ')});
  const chart = svg('svg', {viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': 'chart-' + index,
    class: 'histogram', 'data-metric': h.name, preserveAspectRatio: 'xMinYMin meet'});
  chart.append(svg('title', {id: 'chart-' + index}, summary));
  chart.append(svg('line', {x1: 0, y1: top + plot, x2: width, y2: top + plot, class: 'axis'}));
  h.buckets.forEach((b, i) => {
    const x = gap + i * (w + gap);
    const barHeight = Math.round(plot * b.count / max);
    chart.append(svg('rect', {x, y: top + plot - barHeight, width: w, height: barHeight, class: 'bar'}));
    chart.append(svg('text', {x: x + w / 2, y: top + plot - barHeight - 4, class: 'count', 'text-anchor': 'middle'},
      b.count));
    chart.append(svg('text', {x: x + w / 2, y: top + plot + 15, class: 'bound', 'text-anchor': 'middle'},
      b.le === '+Inf' ? '∞' : b.le));
  });
  return el('figure', {class: 'chart'}, el('figcaption', {class: 'mono small'}, title, ' · n=', h.total), chart);
}

function section(id, heading, ...children) {
  return el('section', {'aria-labelledby': id + '-h', id}, el('h3', {id: id + '-h'}, heading), ...children);
}

function refusal(err, scope) {
  return err.status === 403 ? notice('error', t('ops.forbidden', {scope}), ' (', errorText(err), ')') : errorNotice(err);
}

async function statsSection(box) {
  try {
    const s = await api('/v1/stats');
    const tasks = s.tasks || {};
    box.replaceChildren(
      el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'ops-task-counts'},
        el('caption', {}, t('ops.counts')),
        el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, t('ops.status')), el('th', {scope: 'col'}, t('ops.count')))),
        el('tbody', {}, STATUSES.map(st => el('tr', {'data-status': st},
          el('th', {scope: 'row'}, el('a', {href: href('ops', {status: st})}, st)),
          el('td', {class: 'num'}, tasks[st] ?? 0)))))),
      el('div', {class: 'chips', id: 'ops-stats'}, chip(t('ops.users'), s.users),
        chip(t('ops.profiles'), s.memories?.profiles), chip(t('ops.events'), s.memories?.events),
        chip(t('ops.summaries'), s.memories?.summaries), chip(t('ops.indexed'), s.index?.total),
        chip(t('ops.buffered'), s.buffered_messages), chip(t('ops.storage'), s.storage?.total_bytes)));
  } catch (err) {
    box.replaceChildren(refusal(err, 'operator'));
  }
}

async function tasksList(box, params, status) {
  const statusValue = STATUSES.includes(params.status) ? params.status : 'failed';
  const select = el('select', {id: 'ops-status'}, STATUSES.map(s => el('option', {value: s, selected: s === statusValue}, s)));
  const user = el('input', {id: 'ops-user', value: params.user || '', autocomplete: 'off', spellcheck: 'false'});
  const limit = el('input', {id: 'ops-limit', type: 'number', min: '1', max: '500', value: params.limit || '50'});
  const form = el('form', {class: 'filters', onsubmit: e => {
    e.preventDefault();
    go('ops', {status: select.value, user: user.value.trim(), limit: limit.value});
  }},
  el('div', {class: 'field'}, el('label', {for: select.id}, t('ops.status')), select),
  el('div', {class: 'field'}, el('label', {for: user.id}, t('ops.user')), user),
  el('div', {class: 'field'}, el('label', {for: limit.id}, t('ops.limit')), limit),
  el('div', {class: 'field actions'}, el('button', {type: 'submit', id: 'ops-show'}, t('ops.show'))));
  const list = el('div', {}, loading());
  box.replaceChildren(form, list);
  try {
    const reply = await api('/v1/tasks', {query: {status: statusValue, user_id: params.user, limit: params.limit}});
    if (!reply.tasks.length) {
      list.replaceChildren(notice('info', t('ops.notasks')));
      return;
    }
    const col = key => el('th', {scope: 'col'}, t(key));
    list.replaceChildren(el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'ops-tasks'},
      el('thead', {}, el('tr', {}, col('ops.task'), col('ops.status'), col('ops.retries'), col('ops.owner'),
        col('ops.created'), col('ops.completed'), col('ops.error'), el('th', {scope: 'col'}, ''))),
      el('tbody', {}, reply.tasks.map(task => el('tr', {'data-task-id': task.task_id},
        el('th', {scope: 'row', class: 'mono small'}, task.task_id),
        el('td', {}, task.status), el('td', {class: 'num'}, task.retry_count),
        el('td', {class: 'mono small'}, (task.user_id || '—') + ' / ' + (task.character_id || '—')),
        el('td', {}, time(task.created_at)), el('td', {}, time(task.completed_at)),
        el('td', {class: 'content small'}, task.error_message || ''),
        el('td', {}, task.status === 'failed' ? el('button', {type: 'button', class: 'small retry',
          'aria-label': t('ops.retry.label', {id: task.task_id}), onclick: e => retry(e.target, task.task_id, status)},
        t('ops.retry')) : null)))))));
  } catch (err) {
    list.replaceChildren(refusal(err, 'admin'));
  }
}

async function retry(button, id, status) {
  button.disabled = true;
  try {
    await api('/v1/tasks/' + encodeURIComponent(id) + '/retry', {method: 'POST'});
    status.replaceChildren(notice('info', t('ops.retried', {id})));
    button.closest('tr').querySelector('td').textContent = 'pending';
    button.remove();
  } catch (err) {
    button.disabled = false;
    status.replaceChildren(errorNotice(err));
  }
}

async function metricsSections(dlqBox, breakersBox, latencyBox, status) {
  let samples;
  try {
    const res = await fetch('/metrics', {credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer'});
    if (!res.ok) throw new Error('HTTP ' + res.status);
    samples = parseMetrics(await res.text());
  } catch (err) {
    const failed = () => notice('error', t('ops.metrics.failed', {message: err.message}));
    dlqBox.replaceChildren(failed());
    breakersBox.replaceChildren(failed());
    latencyBox.replaceChildren(failed());
    return;
  }
  const dlq = samples.filter(s => s.name === 'engram_dlq_records');
  const replay = el('button', {type: 'button', id: 'ops-replay', class: 'secondary', onclick: async () => {
    replay.disabled = true;
    try {
      const r = await api('/v1/dlq/replay', {method: 'POST'});
      status.replaceChildren(notice('info', t('ops.replayed', r)));
    } catch (err) {
      status.replaceChildren(refusal(err, 'operator'));
    } finally {
      replay.disabled = false;
    }
  }}, t('ops.replay'));
  dlqBox.replaceChildren(dlq.length ? el('div', {class: 'chips', id: 'ops-dlq'}, dlq.map(s =>
    chip(t('ops.dlq.records', {topic: s.labels.topic || '—'}), s.value))) : notice('info', t('ops.dlq.none')),
  el('div', {class: 'actions'}, replay));

  const names = {0: t('ops.closed'), 1: t('ops.half'), 2: t('ops.open')};
  const breakers = samples.filter(s => s.name === 'engram_circuit_breaker_state')
    .sort((a, b) => (a.labels.name || '').localeCompare(b.labels.name || ''));
  breakersBox.replaceChildren(breakers.length ? el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'ops-breakers'},
    el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, t('ops.breaker')), el('th', {scope: 'col'}, t('ops.state')))),
    el('tbody', {}, breakers.map(s => el('tr', {'data-breaker': s.labels.name || ''},
      el('th', {scope: 'row', class: 'mono'}, s.labels.name || '—'),
      el('td', {class: 'breaker-state state-' + s.value}, names[s.value] ?? String(s.value)))))))
    : notice('info', t('ops.nobreakers')));

  const histograms = latencyHistograms(samples).slice(0, MAX_CHARTS);
  latencyBox.replaceChildren(el('p', {class: 'hint'}, t('ops.latency.hint')),
    histograms.length ? el('div', {class: 'charts', id: 'ops-latency'}, histograms.map(barChart))
      : notice('info', t('ops.nolatency')));
}

export default {
  id: 'ops',
  nav: true,
  title: {en: 'Operations', zh: '运维'},
  async render(container, params) {
    const status = el('div', {id: 'ops-status-line', 'aria-live': 'polite'});
    const statsBox = el('div', {}, loading());
    const tasksBox = el('div', {}, loading());
    const dlqBox = el('div', {}, loading());
    const breakersBox = el('div', {}, loading());
    const latencyBox = el('div', {}, loading());
    container.append(el('div', {class: 'heading-row'}, el('h2', {}, t('ops.heading')),
      el('button', {type: 'button', id: 'ops-refresh', class: 'secondary small',
        onclick: () => window.dispatchEvent(new HashChangeEvent('hashchange'))}, t('ops.refresh'))),
    status,
    el('div', {class: 'ops-grid'},
      section('ops-stats-section', t('ops.stats'), statsBox),
      section('ops-breakers-section', t('ops.breakers'), breakersBox),
      section('ops-dlq-section', t('ops.dlq'), dlqBox)),
    section('ops-tasks-section', t('ops.tasks'), tasksBox),
    section('ops-latency-section', t('ops.latency'), latencyBox));
    await Promise.all([statsSection(statsBox), tasksList(tasksBox, params, status),
      metricsSections(dlqBox, breakersBox, latencyBox, status)]);
  },
};
