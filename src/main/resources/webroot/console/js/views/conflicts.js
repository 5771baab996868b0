// The review queue: conflict reports between a user's memories (both sides, the evidence, the suggestion) and their
// resolution through the public API: keep A, keep B, merge, or a text of one's own (each a new version, restorable).
import {api} from '../api.js';
import {addStrings, t, time} from '../i18n.js';
import {el, go, link, notice} from '../dom.js';
import {chip, errorText, loading} from '../widgets.js';

addStrings({
  en: {
    'conf.heading': 'Review queue', 'conf.filters': 'Which conflicts?', 'conf.user': 'User id',
    'conf.character': 'Character id', 'conf.status': 'Status', 'conf.type': 'Type', 'conf.any': 'any',
    'conf.open': 'open', 'conf.resolved': 'resolved', 'conf.show': 'Show', 'conf.none': 'No conflict matches.',
    'conf.more': 'Load more', 'conf.count': 'Conflicts shown: {count}', 'conf.side.a': 'A · older',
    'conf.side.b': 'B · newer', 'conf.version': 'version {v}', 'conf.memory': 'memory', 'conf.evidence': 'Evidence',
    'conf.suggested': 'Suggested', 'conf.severity': 'severity', 'conf.detector': 'detector',
    'conf.detected': 'detected', 'conf.owner': 'owner', 'conf.keepA': 'Keep A', 'conf.keepB': 'Keep B',
    'conf.merge': 'Merge', 'conf.edit': 'Edit…', 'conf.reason': 'Reason (optional)',
    'conf.content': 'The text that replaces both (a new version of B)', 'conf.save': 'Resolve with this text',
    'conf.cancel': 'Cancel', 'conf.working': 'Resolving…', 'conf.done': 'Resolved: {resolution}.',
    'conf.resolution': 'resolution', 'conf.by': 'by', 'conf.at': 'resolved', 'conf.same': 'two versions of one memory',
    'conf.409': 'The API refused ({status}): {message}. Reload the queue to see its current state.',
    'conf.actions': 'Resolve this conflict', 'conf.empty.content': 'Type the text first.',
    'conf.t.duplicate': 'duplicate', 'conf.t.outdated': 'outdated', 'conf.t.contradiction': 'contradiction',
    'conf.t.inconsistent': 'inconsistent',
  },
  zh: {
    'conf.heading': '审核队列', 'conf.filters': '哪些冲突？', 'conf.user': '用户 ID',
    'conf.character': '角色 ID', 'conf.status': '状态', 'conf.type': '类型', 'conf.any': '全部',
    'conf.open': '待处理', 'conf.resolved': '已解决', 'conf.show': '查看', 'conf.none': '没有匹配的冲突。',
    'conf.more': '加载更多', 'conf.count': '显示 {count} 个冲突', 'conf.side.a': 'A · 较早',
    'conf.side.b': 'B · 较新', 'conf.version': '版本 {v}', 'conf.memory': '记忆', 'conf.evidence': '依据',
    'conf.suggested': '建议', 'conf.severity': '严重度', 'conf.detector': '检测方',
    'conf.detected': '发现于', 'conf.owner': '所属', 'conf.keepA': '保留 A', 'conf.keepB': '保留 B',
    'conf.merge': '合并', 'conf.edit': '改写…', 'conf.reason': '原因（可选）',
    'conf.content': '取代两者的文字（成为 B 的新版本）', 'conf.save': '用这段文字解决',
    'conf.cancel': '取消', 'conf.working': '正在解决…', 'conf.done': '已解决：{resolution}。',
    'conf.resolution': '处理', 'conf.by': '处理人', 'conf.at': '解决于', 'conf.same': '同一条记忆的两个版本',
    'conf.409': 'API 拒绝了（{status}）：{message}。请重新加载队列查看当前状态。',
    'conf.actions': '解决这个冲突', 'conf.empty.content': '请先输入文字。',
    'conf.t.duplicate': '重复', 'conf.t.outdated': '过时', 'conf.t.contradiction': '矛盾',
    'conf.t.inconsistent': '不一致',
  },
});

const TYPES = ['duplicate', 'outdated', 'contradiction', 'inconsistent'];

function select(id, values, chosen, labels) {
  return el('select', {id, name: id}, el('option', {value: ''}, t('conf.any')),
    values.map(v => el('option', {value: v, selected: v === chosen}, labels ? labels[v] : v)));
}

function filters(params) {
  const user = el('input', {id: 'conf-user', value: params.user || '', autocomplete: 'off', spellcheck: 'false'});
  const character = el('input', {id: 'conf-character', value: params.character || '', autocomplete: 'off',
    spellcheck: 'false'});
  const status = select('conf-status', ['open', 'resolved'], params.status === undefined ? 'open' : params.status,
    {open: t('conf.open'), resolved: t('conf.resolved')});
  const type = select('conf-type', TYPES, params.type, Object.fromEntries(TYPES.map(v => [v, t('conf.t.' + v)])));
  return el('form', {class: 'filters', 'aria-label': t('conf.filters'), onsubmit: e => {
    e.preventDefault();
    go('conflicts', {user: user.value.trim(), character: character.value.trim(), status: status.value || 'all',
      type: type.value});
  }},
  el('div', {class: 'field'}, el('label', {for: user.id}, t('conf.user')), user),
  el('div', {class: 'field'}, el('label', {for: character.id}, t('conf.character')), character),
  el('div', {class: 'field'}, el('label', {for: status.id}, t('conf.status')), status),
  el('div', {class: 'field'}, el('label', {for: type.id}, t('conf.type')), type),
  el('div', {class: 'field actions'}, el('button', {type: 'submit', id: 'conf-submit'}, t('conf.show'))));
}

function side(c, which) {
  const id = c['memory_' + which];
  return el('div', {class: 'side side-' + which},
    el('h4', {}, t('conf.side.' + which), ' ', el('span', {class: 'small'},
      t('conf.version', {v: c['version_' + which]}))),
    el('p', {class: 'content', 'data-side': which}, c['content_' + which]),
    id ? el('p', {class: 'small'}, t('conf.memory'), ' ', link('memory', {id}, el('span', {class: 'mono'}, id)))
      : null);
}

function resolvedLine(c) {
  return el('div', {class: 'chips resolved-info'}, chip(t('conf.resolution'), c.resolution, 'active'),
    chip(t('conf.by'), c.resolved_by), chip(t('conf.at'), time(c.resolved_at)),
    c.resolution_detail ? el('span', {class: 'small content'}, String(c.resolution_detail)) : null);
}

/** The buttons (and the edit form) of an open conflict; onDone(report) after the API resolved it. */
function actions(c, status, onDone) {
  const idp = 'conf-' + c.conflict_id;
  const reason = el('input', {id: idp + '-reason', class: 'reason', autocomplete: 'off'});
  const content = el('textarea', {id: idp + '-content', class: 'resolve-content', rows: '3'});
  content.value = c.content_b || '';
  const editor = el('div', {class: 'editor', hidden: true},
    el('div', {class: 'field wide'}, el('label', {for: content.id}, t('conf.content')), content),
    el('div', {class: 'actions'},
      el('button', {type: 'button', class: 'resolve-save', onclick: () => {
        if (!content.value.trim()) {
          status.replaceChildren(notice('error', t('conf.empty.content')));
          content.focus();
          return;
        }
        send({content: content.value});
      }}, t('conf.save')),
      el('button', {type: 'button', class: 'secondary', onclick: () => { editor.hidden = true; }}, t('conf.cancel'))));
  const buttons = [
    el('button', {type: 'button', class: 'resolve-keep-a', onclick: () => send({keep: 'a'})}, t('conf.keepA')),
    el('button', {type: 'button', class: 'resolve-keep-b', onclick: () => send({keep: 'b'})}, t('conf.keepB')),
    el('button', {type: 'button', class: 'resolve-merge secondary', onclick: () => send({strategy: 'merge'})},
      t('conf.merge')),
    el('button', {type: 'button', class: 'resolve-edit secondary', 'aria-expanded': 'false', onclick: e => {
      editor.hidden = !editor.hidden;
      e.currentTarget.setAttribute('aria-expanded', String(!editor.hidden));
      if (!editor.hidden) content.focus();
    }}, t('conf.edit')),
  ];
  const box = el('div', {class: 'resolve', role: 'group', 'aria-label': t('conf.actions')},
    el('div', {class: 'field'}, el('label', {for: reason.id}, t('conf.reason')), reason),
    el('div', {class: 'actions'}, buttons), editor);

  async function send(choice) {
    const all = box.querySelectorAll('button');
    all.forEach(b => { b.disabled = true; });
    status.replaceChildren(notice('info', t('conf.working')));
    const body = {...choice};
    if (reason.value.trim()) body.reason = reason.value.trim();
    try {
      const report = await api('/v1/conflicts/' + encodeURIComponent(c.conflict_id) + '/resolve',
        {method: 'POST', body});
      status.replaceChildren(notice('info', t('conf.done', {resolution: report.resolution})));
      onDone(report);
    } catch (err) {
      // 409: resolved meanwhile, a side deleted since, or locked by a transaction; the API's message says which
      const text = err.status >= 400 && err.status < 500 ? t('conf.409', {status: err.status, message: err.message})
        + (err.field ? ' (' + err.field + ')' : '') : errorText(err);
      status.replaceChildren(notice('error', text));
      all.forEach(b => { b.disabled = false; });
    }
  }
  return box;
}

function card(c) {
  const status = el('div', {class: 'conf-status', 'aria-live': 'polite'});
  const article = el('article', {class: 'card conflict' + (c.resolved ? ' resolved' : ''),
    'data-conflict-id': c.conflict_id, 'aria-labelledby': 'h-' + c.conflict_id});
  const body = () => [
    el('h3', {id: 'h-' + c.conflict_id}, TYPES.includes(c.type) ? t('conf.t.' + c.type) : c.type, ' ',
      el('span', {class: 'mono small'}, c.conflict_id)),
    el('div', {class: 'chips'}, chip(t('conf.status'), c.resolved ? t('conf.resolved') : t('conf.open'),
      c.resolved ? 'active' : 'open'), chip(t('conf.severity'), c.severity), chip(t('conf.detector'), c.detector),
    chip(t('conf.detected'), time(c.detected_at)), chip(t('conf.owner'), c.user_id + ' / ' + c.character_id)),
    c.memory_a && c.memory_a === c.memory_b ? el('p', {class: 'small'}, t('conf.same')) : null,
    el('div', {class: 'side-by-side'}, side(c, 'a'), side(c, 'b')),
    el('h4', {}, t('conf.evidence')),
    el('ul', {class: 'evidence'}, (c.evidence || []).map(e => el('li', {class: 'content'},
      typeof e === 'string' ? e : JSON.stringify(e)))),
    c.suggested_resolution ? el('p', {}, el('strong', {}, t('conf.suggested') + ': '),
      el('span', {class: 'suggested'}, c.suggested_resolution)) : null,
    c.resolved ? resolvedLine(c) : actions(c, status, report => {
      Object.assign(c, report);
      article.classList.add('resolved');
      article.replaceChildren(...body().filter(Boolean), status);
      const h = article.querySelector('h3');
      h.setAttribute('tabindex', '-1');
      h.focus();
    }),
  ];
  article.append(...body().filter(Boolean), status);
  return article;
}

export default {
  id: 'conflicts',
  nav: true,
  title: {en: 'Review', zh: '审核'},
  async render(container, params) {
    container.append(el('h2', {}, t('conf.heading')), filters(params));
    const list = el('div', {id: 'conflict-list', class: 'conflicts'});
    const count = el('p', {id: 'conflict-count', class: 'small', 'aria-live': 'polite'});
    const more = el('div', {class: 'actions'});
    const wait = loading();
    container.append(count, list, more, wait);
    let shown = 0;
    const query = {user_id: params.user, character_id: params.character,
      status: params.status === 'all' ? undefined : (params.status || 'open'), type: params.type, limit: 50};
    async function page(cursor) {
      try {
        const reply = await api('/v1/conflicts', {query: {...query, cursor}});
        wait.remove();
        list.append(...reply.conflicts.map(card));
        shown += reply.conflicts.length;
        count.textContent = shown ? t('conf.count', {count: shown}) : '';
        if (!shown) list.replaceChildren(notice('info', t('conf.none')));
        more.replaceChildren(reply.next_cursor ? el('button', {type: 'button', class: 'secondary', id: 'conf-more',
          onclick: () => page(reply.next_cursor)}, t('conf.more')) : '');
      } catch (err) {
        wait.remove();
        more.replaceChildren(notice('error', errorText(err)));
      }
    }
    await page(undefined);
  },
};
