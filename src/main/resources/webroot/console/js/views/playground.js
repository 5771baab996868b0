// The recall playground: a chat message (and the turns before it) as a user would send it; shows the intent, each
// stage's time, every candidate with its score's ingredients, what the budget cut (explain: true), and the context
// block exactly as the chat model receives it.
import {api} from '../api.js';
import {addStrings, t} from '../i18n.js';
import {el, field, notice} from '../dom.js';
import {chip, errorNotice, loading} from '../widgets.js';

addStrings({
  en: {
    'pg.heading': 'Recall playground', 'pg.form': 'The chat turn', 'pg.message': 'Message',
    'pg.message.hint': 'What the user says now, as in chat.', 'pg.turns': 'Recent turns (optional)',
    'pg.turns.hint': 'One turn a line, oldest first: "user: …", "assistant: …", or "assistant/Name: …".',
    'pg.force': 'Recall even when the intent says no', 'pg.topk': 'top_k', 'pg.maxtokens': 'max_tokens',
    'pg.types': 'Memory types (none ticked: as the intent decides)', 'pg.run': 'Recall',
    'pg.intent': 'Intent', 'pg.need': 'needs recall', 'pg.type': 'type', 'pg.query': 'search query',
    'pg.confidence': 'confidence', 'pg.degraded': 'Degraded (missing from this answer): {names}',
    'pg.yes': 'yes', 'pg.no': 'no', 'pg.timings': 'Time per stage', 'pg.stage': 'Stage', 'pg.ms': 'ms',
    'pg.total': 'total (took_ms)', 'pg.notimings': 'Nothing was searched.',
    'pg.candidates': 'Candidates', 'pg.summary': '{kept} returned, {cut} cut by the budget',
    'pg.rank': '#', 'pg.outcome': 'Outcome', 'pg.content': 'Content', 'pg.score': 'score',
    'pg.relevance': 'relevance', 'pg.recency': 'recency', 'pg.importance': 'importance', 'pg.retention': 'retention',
    'pg.kept': 'returned', 'pg.cut.top_k': 'cut: past top_k', 'pg.cut.max_tokens': 'cut: over max_tokens',
    'pg.cut.duplicate': 'cut: same text', 'pg.nocandidates': 'No candidates.',
    'pg.profiles': 'Profile facts read: {count}', 'pg.context': 'Context block (as the chat model receives it)',
    'pg.nocontext': 'The context block is empty.', 'pg.source': 'source',
  },
  zh: {
    'pg.heading': '召回试验台', 'pg.form': '一轮对话', 'pg.message': '消息',
    'pg.message.hint': '用户此刻说的话，和聊天中一样。', 'pg.turns': '最近几轮（可选）',
    'pg.turns.hint': '每行一轮，从早到晚："user: …"、"assistant: …" 或 "assistant/名字: …"。',
    'pg.force': '即使意图判断不需要也召回', 'pg.topk': 'top_k', 'pg.maxtokens': 'max_tokens',
    'pg.types': '记忆类型（都不勾：由意图决定）', 'pg.run': '召回',
    'pg.intent': '意图', 'pg.need': '需要召回', 'pg.type': '类型', 'pg.query': '检索词',
    'pg.confidence': '置信度', 'pg.degraded': '降级（本次回答缺少）：{names}',
    'pg.yes': '是', 'pg.no': '否', 'pg.timings': '各阶段耗时', 'pg.stage': '阶段', 'pg.ms': '毫秒',
    'pg.total': '总计（took_ms）', 'pg.notimings': '没有进行检索。',
    'pg.candidates': '候选记忆', 'pg.summary': '返回 {kept} 条，预算裁掉 {cut} 条',
    'pg.rank': '#', 'pg.outcome': '结果', 'pg.content': '内容', 'pg.score': '得分',
    'pg.relevance': '相关度', 'pg.recency': '新近度', 'pg.importance': '重要度', 'pg.retention': '保持度',
    'pg.kept': '已返回', 'pg.cut.top_k': '裁掉：超出 top_k', 'pg.cut.max_tokens': '裁掉：超出 max_tokens',
    'pg.cut.duplicate': '裁掉：文本重复', 'pg.nocandidates': '没有候选记忆。',
    'pg.profiles': '读取的画像事实：{count} 条', 'pg.context': '上下文块（聊天模型收到的原样）',
    'pg.nocontext': '上下文块为空。', 'pg.source': '来源',
  },
});

const TYPES = ['summary', 'event', 'profile', 'message', 'entity'];
const ROLES = new Set(['user', 'assistant', 'system']);

// the last form and answer, so a language switch (which re-renders) keeps them
let last = {form: null, reply: null};

/** "assistant/Mei: hello" → {role: 'assistant', name: 'Mei', content: 'hello'}; a line without a role is the user's. */
export function parseTurns(text) {
  const turns = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([A-Za-z]+)(?:\/([^:]{1,64}))?\s*[:：]\s*(.*)$/.exec(line);
    if (m && ROLES.has(m[1].toLowerCase())) {
      const turn = {role: m[1].toLowerCase(), content: m[3]};
      if (m[2] && m[2].trim()) turn.name = m[2].trim();
      turns.push(turn);
    } else {
      turns.push({role: 'user', content: line});
    }
  }
  return turns;
}

function fixed(x) {
  return typeof x === 'number' ? x.toFixed(3) : '—';
}

function intentSection(reply) {
  const i = reply.intent || {};
  return el('section', {'aria-labelledby': 'pg-intent-h', id: 'pg-intent'}, el('h3', {id: 'pg-intent-h'}, t('pg.intent')),
    el('div', {class: 'chips'}, chip(t('pg.need'), i.need_recall ? t('pg.yes') : t('pg.no')),
      chip(t('pg.type'), i.recall_type), chip(t('pg.query'), i.search_query), chip(t('pg.confidence'), fixed(i.confidence))),
    reply.degraded && reply.degraded.length ? notice('error', t('pg.degraded', {names: reply.degraded.join(', ')})) : null);
}

function timingsSection(reply) {
  const timings = reply.timings || {};
  const stages = Object.entries(timings).filter(([, v]) => typeof v === 'number');
  const max = Math.max(1, reply.took_ms || 0, ...stages.map(([, v]) => v));
  const row = (name, ms, cls) => el('tr', {'data-stage': name, class: cls || null},
    el('th', {scope: 'row', class: 'mono'}, name),
    el('td', {class: 'num'}, ms.toFixed(1)),
    el('td', {'aria-hidden': 'true'}, el('meter', {min: '0', max: String(max), value: String(ms), class: 'stage-bar'})));
  return el('section', {'aria-labelledby': 'pg-timings-h'}, el('h3', {id: 'pg-timings-h'}, t('pg.timings')),
    stages.length ? null : notice('info', t('pg.notimings')),
    el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'pg-timings'},
      el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, t('pg.stage')), el('th', {scope: 'col'}, t('pg.ms')),
        el('th', {scope: 'col'}, ''))),
      el('tbody', {}, stages.map(([k, v]) => row(k, v)), row(t('pg.total'), reply.took_ms || 0, 'total')))));
}

function candidateRow(m, rank, outcome) {
  const s = m.scores || {};
  return el('tr', {'data-memory-id': m.id, 'data-outcome': outcome, class: outcome === 'kept' ? 'kept' : 'cut'},
    el('td', {class: 'num'}, rank),
    el('td', {}, outcome === 'kept' ? t('pg.kept') : t('pg.cut.' + outcome)),
    el('td', {class: 'content'}, m.content, el('div', {class: 'small mono'}, m.memory_type,
      m.source ? ' · ' + t('pg.source') + ' ' + m.source : '')),
    el('td', {class: 'num score'}, fixed(m.score)),
    el('td', {class: 'num relevance'}, fixed(s.relevance)),
    el('td', {class: 'num recency'}, fixed(s.recency)),
    el('td', {class: 'num importance'}, fixed(s.importance)),
    el('td', {class: 'num retention'}, fixed(s.retention)));
}

function candidatesSection(reply) {
  const kept = reply.memories || [];
  const cut = reply.cut || [];
  const rows = [...kept.map(m => [m, 'kept']), ...cut.map(m => [m, m.reason])]
    .sort((a, b) => (b[0].score ?? 0) - (a[0].score ?? 0))
    .map(([m, outcome], i) => candidateRow(m, i + 1, outcome));
  const col = key => el('th', {scope: 'col'}, t(key));
  return el('section', {'aria-labelledby': 'pg-cand-h'}, el('h3', {id: 'pg-cand-h'}, t('pg.candidates')),
    el('p', {id: 'pg-summary'}, t('pg.summary', {kept: kept.length, cut: cut.length}), ' · ',
      t('pg.profiles', {count: (reply.profiles || []).length})),
    rows.length ? el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'pg-candidates'},
      el('thead', {}, el('tr', {}, col('pg.rank'), col('pg.outcome'), col('pg.content'), col('pg.score'),
        col('pg.relevance'), col('pg.recency'), col('pg.importance'), col('pg.retention'))),
      el('tbody', {}, rows))) : notice('info', t('pg.nocandidates')));
}

function contextSection(reply) {
  return el('section', {'aria-labelledby': 'pg-context-h'}, el('h3', {id: 'pg-context-h'}, t('pg.context')),
    reply.context ? el('pre', {id: 'pg-context', class: 'context', tabindex: '0'}, reply.context)
      : notice('info', t('pg.nocontext')));
}

function results(reply) {
  return el('div', {id: 'pg-results'}, intentSection(reply), timingsSection(reply), candidatesSection(reply),
    contextSection(reply));
}

function wide(node) {
  node.classList.add('wide');
  return node;
}

function form(params, out) {
  const f = {user: '', character: '', message: '', turns: '', force: true, topK: '5', maxTokens: '1000', types: [],
    ...last.form};
  if (params.user) f.user = params.user; // a link from another view names the owner
  if (params.character) f.character = params.character;
  const input = (id, value, extra) => el('input', {id, value, autocomplete: 'off', spellcheck: 'false', ...extra});
  const user = input('pg-user', f.user, {required: true});
  const character = input('pg-character', f.character, {required: true});
  const message = el('textarea', {id: 'pg-message', rows: '2', required: true, maxlength: '4000'}, f.message);
  const turns = el('textarea', {id: 'pg-turns', rows: '4'}, f.turns);
  const force = el('input', {id: 'pg-force', type: 'checkbox', checked: f.force});
  const topK = input('pg-topk', f.topK, {type: 'number', min: '1', max: '100', inputmode: 'numeric'});
  const maxTokens = input('pg-maxtokens', f.maxTokens, {type: 'number', min: '1', max: '32000', inputmode: 'numeric'});
  const boxes = TYPES.map(type => el('input', {id: 'pg-type-' + type, type: 'checkbox', value: type,
    checked: f.types.includes(type)}));
  const submit = el('button', {type: 'submit', id: 'pg-run'}, t('pg.run'));

  async function run(e) {
    e.preventDefault();
    last.form = {user: user.value.trim(), character: character.value.trim(), message: message.value,
      turns: turns.value, force: force.checked, topK: topK.value, maxTokens: maxTokens.value,
      types: boxes.filter(b => b.checked).map(b => b.value)};
    const body = {user_id: last.form.user, character_id: last.form.character, message: last.form.message,
      force: last.form.force, explain: true};
    const recent = parseTurns(last.form.turns);
    if (recent.length) body.recent_context = recent;
    if (last.form.topK) body.top_k = Number(last.form.topK);
    if (last.form.maxTokens) body.max_tokens = Number(last.form.maxTokens);
    if (last.form.types.length) body.types = last.form.types;
    submit.disabled = true;
    out.replaceChildren(loading());
    try {
      last.reply = await api('/v1/recall', {method: 'POST', body});
      out.replaceChildren(results(last.reply));
    } catch (err) {
      last.reply = null;
      out.replaceChildren(errorNotice(err));
    } finally {
      submit.disabled = false;
    }
  }

  return el('form', {class: 'filters playground', id: 'pg-form', 'aria-labelledby': 'pg-form-h', onsubmit: run},
    el('h3', {id: 'pg-form-h', class: 'field wide'}, t('pg.form')),
    field(t('w.user'), user), field(t('w.character'), character),
    wide(field(t('pg.message'), message, t('pg.message.hint'))),
    wide(field(t('pg.turns'), turns, t('pg.turns.hint'))),
    field(t('pg.topk'), topK), field(t('pg.maxtokens'), maxTokens),
    el('div', {class: 'field check'}, el('label', {for: force.id, class: 'inline'}, force, ' ', t('pg.force'))),
    el('fieldset', {class: 'field wide types'}, el('legend', {}, t('pg.types')),
      boxes.map(b => el('label', {for: b.id, class: 'inline'}, b, ' ', b.value))),
    el('div', {class: 'field actions'}, submit));
}

export default {
  id: 'playground',
  nav: true,
  title: {en: 'Recall playground', zh: '召回试验台'},
  async render(container, params) {
    const out = el('div', {id: 'pg-out', 'aria-live': 'polite'});
    container.append(el('h2', {}, t('pg.heading')), form(params, out), out);
    if (last.reply) out.append(results(last.reply));
  },
};
