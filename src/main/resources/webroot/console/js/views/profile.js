// The user's current facts (profile memories), each with the values it had before: "杭州 → 上海, 2026-11".
import {api} from '../api.js';
import {addStrings, month, t} from '../i18n.js';
import {el, go, link, notice} from '../dom.js';
import {errorNotice, loading, ownerForm} from '../widgets.js';

addStrings({
  en: {
    'prof.heading': 'Profile', 'prof.pick': 'Whose profile?', 'prof.fact': 'Fact', 'prof.value': 'Now',
    'prof.history': 'History', 'prof.none': 'No profile facts for this user and character.',
    'prof.since': 'since {month}', 'prof.open': 'details',
  },
  zh: {
    'prof.heading': '用户画像', 'prof.pick': '谁的画像？', 'prof.fact': '事实', 'prof.value': '当前',
    'prof.history': '历史', 'prof.none': '这个用户和角色还没有画像事实。',
    'prof.since': '自 {month}', 'prof.open': '详情',
  },
});

/** The fact's value in one version: the extracted value when there is one, else the text. */
function valueOf(v) {
  const meta = v.metadata || {};
  return meta.profile_value || v.content;
}

/** The successive values (a value said again is one step), each with the month it took effect. */
export function chain(versions) {
  const steps = [];
  for (const v of versions) {
    if (v.status === 'deleted') continue;
    const value = valueOf(v);
    if (!steps.length || steps[steps.length - 1].value !== value) steps.push({value, at: v.at});
  }
  return steps;
}

export default {
  id: 'profile',
  nav: true,
  title: {en: 'Profile', zh: '画像'},
  async render(container, params) {
    container.append(el('h2', {}, t('prof.heading')),
      el('section', {'aria-label': t('prof.pick')}, ownerForm('profile', params, owner => go('profile', owner))));
    if (!params.user) return;
    container.append(loading());
    try {
      const reply = await api('/v1/memories', {query: {user_id: params.user, character_id: params.character,
        type: 'profile', status: 'active', limit: 500}});
      const facts = reply.memories;
      if (!facts.length) {
        container.lastChild.replaceWith(notice('info', t('prof.none')));
        return;
      }
      const histories = await Promise.all(facts.map(f => api('/v1/memories/' + encodeURIComponent(f.id) + '/history',
        {query: {limit: 1000}})));
      const rows = facts.map((f, i) => {
        const meta = f.metadata || {};
        const steps = chain(histories[i].versions || []);
        const last = steps[steps.length - 1];
        return el('tr', {'data-memory-id': f.id},
          el('th', {scope: 'row'}, meta.profile_key || meta.profile_type || f.memory_type),
          el('td', {class: 'content'}, valueOf(f)),
          el('td', {class: 'fact-history'}, steps.map(s => s.value).join(' → '),
            last ? ', ' + month(last.at) : null),
          el('td', {}, link('memory', {id: f.id}, t('prof.open'))));
      });
      container.lastChild.replaceWith(el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'profile-table'},
        el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, t('prof.fact')), el('th', {scope: 'col'}, t('prof.value')),
          el('th', {scope: 'col'}, t('prof.history')), el('th', {scope: 'col'}, ''))),
        el('tbody', {}, rows))));
    } catch (err) {
      container.lastChild.replaceWith(errorNotice(err));
    }
  },
};
