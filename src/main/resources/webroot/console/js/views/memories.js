// A user's memories: filter by type, category, status, creation time and text; each memory with its importance,
// validity, scores' ingredients (from a recall of the text), provenance and links to its sources and history.
import {api} from '../api.js';
import {addStrings, t, time} from '../i18n.js';
import {el, go, href, link, notice} from '../dom.js';
import {chip, errorNotice, loading} from '../widgets.js';

addStrings({
  en: {
    'mem.heading': 'Memories', 'mem.user': 'User id', 'mem.character': 'Character id', 'mem.type': 'Type',
    'mem.category': 'Category', 'mem.status': 'Status', 'mem.since': 'Created from', 'mem.until': 'Created until',
    'mem.text': 'Text', 'mem.text.hint': 'Words the memory contains; also ranks them by a recall of these words.',
    'mem.any': 'any', 'mem.search': 'Search', 'mem.count': '{count} memories', 'mem.none': 'No memory matches.',
    'mem.more': 'Load more', 'mem.importance': 'importance', 'mem.confidence': 'confidence',
    'mem.valid': 'valid', 'mem.created': 'created', 'mem.updated': 'updated', 'mem.version': 'version',
    'mem.source': 'source', 'mem.score': 'score', 'mem.relevance': 'relevance', 'mem.recency': 'recency',
    'mem.session': 'session', 'mem.messages': 'messages', 'mem.sources': 'Source messages',
    'mem.open': 'Details, edit, history', 'mem.profile': 'Profile', 'mem.scores': 'Recall scores',
    'mem.recall.failed': 'The recall for scores failed: {message}', 'mem.until.open': 'open',
  },
  zh: {
    'mem.heading': '记忆', 'mem.user': '用户 ID', 'mem.character': '角色 ID', 'mem.type': '类型',
    'mem.category': '类别', 'mem.status': '状态', 'mem.since': '创建起始', 'mem.until': '创建截止',
    'mem.text': '文本', 'mem.text.hint': '记忆包含的文字；同时用这些文字做一次召回来排序打分。',
    'mem.any': '全部', 'mem.search': '搜索', 'mem.count': '{count} 条记忆', 'mem.none': '没有匹配的记忆。',
    'mem.more': '加载更多', 'mem.importance': '重要度', 'mem.confidence': '置信度',
    'mem.valid': '有效期', 'mem.created': '创建', 'mem.updated': '更新', 'mem.version': '版本',
    'mem.source': '来源', 'mem.score': '得分', 'mem.relevance': '相关度', 'mem.recency': '新近度',
    'mem.session': '会话', 'mem.messages': '消息', 'mem.sources': '来源消息',
    'mem.open': '详情、编辑、历史', 'mem.profile': '画像', 'mem.scores': '召回得分',
    'mem.recall.failed': '用于打分的召回失败：{message}', 'mem.until.open': '至今',
  },
});

const TYPES = ['summary', 'event', 'profile', 'message', 'entity'];
const CATEGORIES = ['fact', 'preference', 'context', 'skill', 'general'];
const STATUSES = ['active', 'deleted'];
const TEXT_PAGES = 5;

function select(id, values, chosen) {
  return el('select', {id, name: id}, el('option', {value: ''}, t('mem.any')),
    values.map(v => el('option', {value: v, selected: v === chosen}, v)));
}

function dayToEpoch(day, end) {
  if (!day) return undefined;
  const ms = Date.parse(day + 'T00:00:00');
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000) + (end ? 86400 : 0);
}

/** One memory as a card; scores: the recall's {score, scores:{relevance, recency, importance}} when it found it. */
export function memoryCard(m, scores) {
  const p = m.provenance || {};
  const msgIds = p.msg_ids || [];
  return el('article', {class: 'memory ' + (m.status === 'deleted' ? 'deleted' : ''), 'data-memory-id': m.id},
    el('div', {class: 'chips'}, chip(t('mem.type'), m.memory_type, 'type'), chip(t('mem.category'), m.category),
      chip(t('mem.status'), m.status, m.status), chip(t('mem.version'), m.version)),
    el('p', {class: 'content'}, m.content),
    el('div', {class: 'chips'},
      chip(t('mem.importance'), m.importance), chip(t('mem.confidence'), m.confidence),
      chip(t('mem.valid'), time(m.valid_from) + ' → ' + (m.valid_to ? time(m.valid_to) : t('mem.until.open'))),
      chip(t('mem.created'), time(m.created_at)), chip(t('mem.source'), m.source)),
    scores ? el('div', {class: 'chips scores', 'aria-label': t('mem.scores')},
      chip(t('mem.score'), fixed(scores.score)), chip(t('mem.relevance'), fixed(scores.scores?.relevance)),
      chip(t('mem.recency'), fixed(scores.scores?.recency)), chip(t('mem.importance'), fixed(scores.scores?.importance)))
      : null,
    el('p', {class: 'provenance'}, t('mem.session'), ': ', el('span', {class: 'mono'}, p.session_id || '—'), ' · ',
      t('mem.messages'), ': ', el('span', {class: 'mono'}, msgIds.length ? msgIds.join(', ') : '—')),
    el('p', {class: 'links'},
      link('memory', {id: m.id}, t('mem.open')),
      p.session_id ? [' · ', el('a', {href: href('sources', {id: m.id}), class: 'sources-link'}, t('mem.sources'))]
        : null));
}

function fixed(x) {
  return typeof x === 'number' ? x.toFixed(3) : x;
}

export default {
  id: 'memories',
  nav: true,
  title: {en: 'Memories', zh: '记忆'},
  async render(container, params) {
    const inputs = {
      user: el('input', {id: 'f-user', value: params.user || '', autocomplete: 'off', spellcheck: 'false'}),
      character: el('input', {id: 'f-character', value: params.character || '', autocomplete: 'off',
        spellcheck: 'false'}),
      type: select('f-type', TYPES, params.type), category: select('f-category', CATEGORIES, params.category),
      status: select('f-status', STATUSES, params.status),
      since: el('input', {id: 'f-since', type: 'date', value: params.since || ''}),
      until: el('input', {id: 'f-until', type: 'date', value: params.until || ''}),
      text: el('input', {id: 'f-text', type: 'search', value: params.text || '', 'aria-describedby': 'f-text-hint'}),
    };
    const labels = {user: 'mem.user', character: 'mem.character', type: 'mem.type', category: 'mem.category',
      status: 'mem.status', since: 'mem.since', until: 'mem.until', text: 'mem.text'};
    const form = el('form', {class: 'filters', id: 'memory-filters', onsubmit: e => {
      e.preventDefault();
      const next = {};
      for (const [k, input] of Object.entries(inputs)) next[k] = input.value.trim();
      go('memories', next);
    }},
    Object.entries(inputs).map(([k, input]) => el('div', {class: 'field' + (k === 'text' ? ' wide' : '')},
      el('label', {for: input.id}, t(labels[k])), input,
      k === 'text' ? el('small', {id: 'f-text-hint', class: 'hint'}, t('mem.text.hint')) : null)),
    el('div', {class: 'field actions'}, el('button', {type: 'submit', id: 'f-submit'}, t('mem.search'))));
    const results = el('section', {id: 'memory-results', 'aria-live': 'polite', 'aria-busy': 'true'}, loading());
    container.append(el('h2', {}, t('mem.heading')),
      params.user && params.character ? el('p', {}, link('profile', {user: params.user, character: params.character},
        t('mem.profile'))) : null,
      form, results);

    const query = {user_id: params.user, character_id: params.character, type: params.type,
      category: params.category, status: params.status, since: dayToEpoch(params.since, false),
      until: dayToEpoch(params.until, true), limit: params.text ? 500 : 100};
    const needle = (params.text || '').toLowerCase();
    const list = el('div', {class: 'memories', id: 'memory-list'});
    const count = el('p', {id: 'memory-count'});
    let cursor = null;
    let shown = 0;
    let scores = new Map();
    const recallNote = el('div');

    async function page() {
      let pages = needle ? TEXT_PAGES : 1;
      while (pages-- > 0) {
        const reply = await api('/v1/memories', {query: {...query, cursor}});
        for (const m of reply.memories) {
          if (needle && !(m.content || '').toLowerCase().includes(needle)) continue;
          list.append(memoryCard(m, scores.get(m.id)));
          shown++;
        }
        cursor = reply.next_cursor;
        if (!cursor) break;
      }
      count.textContent = shown ? t('mem.count', {count: shown}) : t('mem.none');
      more.hidden = !cursor;
    }
    const more = el('button', {type: 'button', class: 'secondary', id: 'memory-more', hidden: true, onclick: async () => {
      more.disabled = true;
      try {
        await page();
      } catch (err) {
        results.append(errorNotice(err));
      } finally {
        more.disabled = false;
      }
    }}, t('mem.more'));

    try {
      if (needle && params.user && params.character) {
        try {
          const recall = await api('/v1/recall', {method: 'POST', body: {user_id: params.user,
            character_id: params.character, message: params.text, force: true, top_k: 50}});
          scores = new Map((recall.memories || []).map(m => [m.id, m]));
        } catch (err) {
          recallNote.append(notice('info', t('mem.recall.failed', {message: err.message})));
        }
      }
      await page();
      results.replaceChildren(count, recallNote, list, more);
    } catch (err) {
      results.replaceChildren(errorNotice(err));
    } finally {
      results.setAttribute('aria-busy', 'false');
    }
  },
};
