// One memory: its fields, a correction (PATCH with If-Match), delete, restore of any version, the history and a
// side-by-side compare of two versions.
import {api} from '../api.js';
import {addStrings, t, time} from '../i18n.js';
import {clear, el, notice} from '../dom.js';
import {errorNotice, loading} from '../widgets.js';
import {memoryCard} from './memories.js';

addStrings({
  en: {
    'one.heading': 'Memory', 'one.missing': 'Which memory? Open one from the list.',
    'one.edit': 'Correct', 'one.content': 'Content', 'one.importance': 'Importance (1–10)',
    'one.category': 'Category', 'one.validto': 'Valid until', 'one.validto.hint': 'Empty: still valid.',
    'one.reason': 'Reason', 'one.reason.hint': 'Required: kept in the history.', 'one.save': 'Save a new version',
    'one.saved': 'Saved as version {version}.', 'one.nochange': 'Nothing changed.',
    'one.delete': 'Delete', 'one.delete.confirm': 'Really delete (restorable from the history)',
    'one.deleted': 'Deleted (version {version}).', 'one.cancel': 'Cancel',
    'one.history': 'History', 'one.version': 'Version', 'one.op': 'Change', 'one.at': 'When', 'one.actor': 'By',
    'one.changed': 'Fields', 'one.a': 'A', 'one.b': 'B', 'one.restore': 'Restore',
    'one.restored': 'Version {from} restored as version {version}.', 'one.restore.reason': 'restored from the console',
    'one.compare': 'Compare A and B', 'one.compare.heading': 'Version {a} and version {b}',
    'one.compare.same': 'Choose two different versions.', 'one.field': 'Field', 'one.edits': 'Word changes',
    'one.nodiff': 'The content is the same.', 'one.pick.a': 'Version {version} as A', 'one.pick.b': 'Version {version} as B',
  },
  zh: {
    'one.heading': '记忆', 'one.missing': '哪条记忆？请从列表打开。',
    'one.edit': '更正', 'one.content': '内容', 'one.importance': '重要度（1–10）',
    'one.category': '类别', 'one.validto': '有效至', 'one.validto.hint': '留空：仍然有效。',
    'one.reason': '原因', 'one.reason.hint': '必填：记入历史。', 'one.save': '保存为新版本',
    'one.saved': '已保存为版本 {version}。', 'one.nochange': '没有改动。',
    'one.delete': '删除', 'one.delete.confirm': '确认删除（可从历史恢复）',
    'one.deleted': '已删除（版本 {version}）。', 'one.cancel': '取消',
    'one.history': '历史', 'one.version': '版本', 'one.op': '变更', 'one.at': '时间', 'one.actor': '操作者',
    'one.changed': '字段', 'one.a': 'A', 'one.b': 'B', 'one.restore': '恢复',
    'one.restored': '版本 {from} 已恢复为版本 {version}。', 'one.restore.reason': '从控制台恢复',
    'one.compare': '比较 A 与 B', 'one.compare.heading': '版本 {a} 与版本 {b}',
    'one.compare.same': '请选择两个不同的版本。', 'one.field': '字段', 'one.edits': '词语变化',
    'one.nodiff': '内容相同。', 'one.pick.a': '版本 {version} 作为 A', 'one.pick.b': '版本 {version} 作为 B',
  },
});

const CATEGORIES = ['fact', 'preference', 'context', 'skill', 'general'];

function day(seconds) {
  if (!seconds) return '';
  const d = new Date(seconds * 1000);
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
}

function show(value) {
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const view = {
  id: 'memory',
  nav: false,
  title: {en: 'Memory', zh: '记忆'},
  async render(container, params, message) {
    clear(container);
    if (!params.id) {
      container.append(notice('error', t('one.missing')));
      return;
    }
    const status = el('div', {id: 'memory-status', 'aria-live': 'polite'}, message || null);
    container.append(el('h2', {}, t('one.heading'), ' ', el('span', {class: 'mono small'}, params.id)), status,
      loading());
    let m;
    let history;
    try {
      [m, history] = await Promise.all([api('/v1/memories/' + encodeURIComponent(params.id)),
        api('/v1/memories/' + encodeURIComponent(params.id) + '/history', {query: {limit: 1000}})]);
    } catch (err) {
      container.lastChild.replaceWith(errorNotice(err));
      return;
    }
    const again = note => view.render(container, params, note);
    const fail = err => status.replaceChildren(errorNotice(err));
    container.lastChild.replaceWith(memoryCard(m), editForm(m, again, fail), deleteBox(m, again, fail),
      historySection(m, history.versions || [], again, fail));
  },
};

function editForm(m, again, fail) {
  const content = el('textarea', {id: 'edit-content', rows: '4', required: true}, m.content);
  const importance = el('input', {id: 'edit-importance', type: 'number', min: '1', max: '10', step: '1',
    value: m.importance});
  const category = el('select', {id: 'edit-category'},
    CATEGORIES.map(c => el('option', {value: c, selected: c === m.category}, c)));
  const validTo = el('input', {id: 'edit-valid-to', type: 'date', value: day(m.valid_to),
    'aria-describedby': 'edit-valid-to-hint'});
  const reason = el('input', {id: 'edit-reason', required: true, maxlength: '500', 'aria-describedby': 'edit-reason-hint'});
  const save = el('button', {type: 'submit', id: 'edit-save'}, t('one.save'));
  const form = el('form', {class: 'card', id: 'edit-form', onsubmit: async e => {
    e.preventDefault();
    const body = {reason: reason.value.trim()};
    if (content.value !== m.content) body.content = content.value;
    if (Number(importance.value) !== m.importance) body.importance = Number(importance.value);
    if (category.value !== m.category) body.category = category.value;
    if (validTo.value !== day(m.valid_to)) {
      body.valid_to = validTo.value ? Math.floor(Date.parse(validTo.value + 'T00:00:00') / 1000) : null;
    }
    if (Object.keys(body).length === 1) {
      form.append(notice('info', t('one.nochange')));
      return;
    }
    save.disabled = true;
    try {
      const saved = await api('/v1/memories/' + encodeURIComponent(m.id), {method: 'PATCH', body,
        headers: {'If-Match': '"' + m.version + '"'}});
      await again(notice('info', t('one.saved', {version: saved.version})));
    } catch (err) {
      save.disabled = false;
      fail(err);
    }
  }},
  el('h3', {}, t('one.edit')),
  el('div', {class: 'field wide'}, el('label', {for: content.id}, t('one.content')), content),
  el('div', {class: 'row'},
    el('div', {class: 'field'}, el('label', {for: importance.id}, t('one.importance')), importance),
    el('div', {class: 'field'}, el('label', {for: category.id}, t('one.category')), category),
    el('div', {class: 'field'}, el('label', {for: validTo.id}, t('one.validto')), validTo,
      el('small', {id: 'edit-valid-to-hint', class: 'hint'}, t('one.validto.hint')))),
  el('div', {class: 'field wide'}, el('label', {for: reason.id}, t('one.reason')), reason,
    el('small', {id: 'edit-reason-hint', class: 'hint'}, t('one.reason.hint'))),
  el('div', {class: 'actions'}, save));
  return form;
}

function deleteBox(m, again, fail) {
  const box = el('div', {class: 'actions danger-zone'});
  if (m.status === 'deleted') return box;
  const confirm = el('button', {type: 'button', class: 'danger', id: 'delete-confirm', onclick: async () => {
    confirm.disabled = true;
    try {
      const done = await api('/v1/memories/' + encodeURIComponent(m.id), {method: 'DELETE',
        headers: {'If-Match': '"' + m.version + '"'}});
      await again(notice('info', t('one.deleted', {version: done.version})));
    } catch (err) {
      confirm.disabled = false;
      fail(err);
    }
  }}, t('one.delete.confirm'));
  const cancel = el('button', {type: 'button', class: 'secondary', onclick: () => {
    box.replaceChildren(start);
    start.focus();
  }}, t('one.cancel'));
  const start = el('button', {type: 'button', class: 'danger', id: 'delete-start', onclick: () => {
    box.replaceChildren(confirm, ' ', cancel);
    confirm.focus();
  }}, t('one.delete'));
  box.append(start);
  return box;
}

function historySection(m, versions, again, fail) {
  const compareOut = el('div', {id: 'compare-out', 'aria-live': 'polite'});
  const pickA = versions.length > 1 ? versions[versions.length - 2].version : null;
  const pickB = versions.length ? versions[versions.length - 1].version : null;
  const rows = versions.map(v => el('tr', {'data-version': v.version},
    el('td', {}, el('input', {type: 'radio', name: 'cmp-a', value: v.version, id: 'cmp-a-' + v.version,
      checked: v.version === pickA, 'aria-label': t('one.pick.a', {version: v.version})})),
    el('td', {}, el('input', {type: 'radio', name: 'cmp-b', value: v.version, id: 'cmp-b-' + v.version,
      checked: v.version === pickB, 'aria-label': t('one.pick.b', {version: v.version})})),
    el('th', {scope: 'row'}, v.version), el('td', {}, v.op), el('td', {}, time(v.at)), el('td', {}, v.actor || '—'),
    el('td', {}, (v.changed || []).join(', ')), el('td', {class: 'content'}, v.content),
    el('td', {}, v.reason || '—'),
    el('td', {}, v.version === m.version && m.status === v.status ? null : el('button', {type: 'button',
      class: 'secondary small', id: 'restore-' + v.version, onclick: async e => {
        e.target.disabled = true;
        try {
          const restored = await api('/v1/memories/' + encodeURIComponent(m.id) + '/restore', {method: 'POST',
            body: {version: v.version, reason: t('one.restore.reason')}, headers: {'If-Match': '"' + m.version + '"'}});
          await again(notice('info', t('one.restored', {from: v.version, version: restored.version})));
        } catch (err) {
          e.target.disabled = false;
          fail(err);
        }
      }}, t('one.restore')))));
  const table = el('table', {class: 'list', id: 'history-table'},
    el('thead', {}, el('tr', {}, ['one.a', 'one.b', 'one.version', 'one.op', 'one.at', 'one.actor', 'one.changed',
      'one.content', 'one.reason', 'one.restore'].map(k => el('th', {scope: 'col'}, t(k))))),
    el('tbody', {}, rows));
  const compare = el('button', {type: 'button', id: 'compare-run', onclick: async () => {
    const a = table.querySelector('input[name=cmp-a]:checked');
    const b = table.querySelector('input[name=cmp-b]:checked');
    if (!a || !b || a.value === b.value) {
      compareOut.replaceChildren(notice('error', t('one.compare.same')));
      return;
    }
    try {
      const c = await api('/v1/memories/' + encodeURIComponent(m.id) + '/compare', {query: {a: a.value, b: b.value}});
      const va = versions.find(v => String(v.version) === a.value);
      const vb = versions.find(v => String(v.version) === b.value);
      compareOut.replaceChildren(comparison(c, va, vb));
    } catch (err) {
      compareOut.replaceChildren(errorNotice(err));
    }
  }}, t('one.compare'));
  return el('section', {'aria-labelledby': 'history-heading'}, el('h3', {id: 'history-heading'}, t('one.history')),
    el('div', {class: 'table-wrap'}, table), versions.length > 1 ? el('div', {class: 'actions'}, compare) : null,
    compareOut);
}

function comparison(c, va, vb) {
  const edits = (c.diff && c.diff.edits) || [];
  return el('div', {class: 'compare', id: 'compare-view'},
    el('h4', {}, t('one.compare.heading', {a: c.a, b: c.b})),
    el('div', {class: 'side-by-side'},
      el('div', {class: 'side', id: 'compare-a'}, el('h5', {}, t('one.a'), ' · v', c.a, ' · ', time(va?.at)),
        el('p', {class: 'content'}, va ? va.content : '—')),
      el('div', {class: 'side', id: 'compare-b'}, el('h5', {}, t('one.b'), ' · v', c.b, ' · ', time(vb?.at)),
        el('p', {class: 'content'}, vb ? vb.content : '—'))),
    (c.changes || []).length ? el('div', {class: 'table-wrap'}, el('table', {class: 'list'},
      el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, t('one.field')), el('th', {scope: 'col'}, 'A'),
        el('th', {scope: 'col'}, 'B'))),
      el('tbody', {}, c.changes.map(ch => el('tr', {}, el('th', {scope: 'row'}, ch.field),
        el('td', {class: 'content'}, show(ch.a)), el('td', {class: 'content'}, show(ch.b)))))))
      : null,
    el('h5', {}, t('one.edits')),
    edits.length ? el('ul', {class: 'edits'}, edits.map(e => el('li', {},
      e.a_text ? el('del', {}, e.a_text) : null, e.a_text && e.b_text ? ' → ' : null,
      e.b_text ? el('ins', {}, e.b_text) : null))) : notice('info', t('one.nodiff')));
}

export default view;
