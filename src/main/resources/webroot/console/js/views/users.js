// Users and their characters, as the tenant's memories name them (newest first), with a form to open any user.
import {api} from '../api.js';
import {addStrings, t, time} from '../i18n.js';
import {el, go, link, notice} from '../dom.js';
import {errorNotice, loading, ownerForm} from '../widgets.js';

addStrings({
  en: {
    'users.heading': 'Users and characters', 'users.open': 'Open a user',
    'users.recent': 'Users with recent memories', 'users.user': 'User', 'users.characters': 'Characters',
    'users.latest': 'Latest memory', 'users.memories': 'memories', 'users.profile': 'profile',
    'users.none': 'No memories yet for this key\'s tenant.',
    'users.partial': 'From the newest {count} memories; open any other user with the form.',
  },
  zh: {
    'users.heading': '用户与角色', 'users.open': '打开一个用户',
    'users.recent': '最近有记忆的用户', 'users.user': '用户', 'users.characters': '角色',
    'users.latest': '最新记忆', 'users.memories': '记忆', 'users.profile': '画像',
    'users.none': '此密钥的租户还没有记忆。',
    'users.partial': '取自最新的 {count} 条记忆；其他用户请用上面的表单打开。',
  },
});

const PAGES = 4;

export default {
  id: 'users',
  nav: true,
  title: {en: 'Users', zh: '用户'},
  async render(container, params) {
    container.append(el('h2', {}, t('users.heading')),
      el('section', {'aria-labelledby': 'users-open'}, el('h3', {id: 'users-open'}, t('users.open')),
        ownerForm('users', params, owner => go('memories', owner))));
    const section = el('section', {'aria-labelledby': 'users-recent'},
      el('h3', {id: 'users-recent'}, t('users.recent')), loading());
    container.append(section);
    const owners = new Map();
    let seen = 0;
    let cursor = null;
    try {
      for (let page = 0; page < PAGES; page++) {
        const reply = await api('/v1/memories', {query: {limit: 500, cursor}});
        for (const m of reply.memories) {
          seen++;
          const o = owners.get(m.user_id) || {characters: new Map(), latest: 0};
          o.characters.set(m.character_id, (o.characters.get(m.character_id) || 0) + 1);
          o.latest = Math.max(o.latest, m.created_at || 0);
          owners.set(m.user_id, o);
        }
        cursor = reply.next_cursor;
        if (!cursor) break;
      }
    } catch (err) {
      section.lastChild.replaceWith(errorNotice(err));
      return;
    }
    if (owners.size === 0) {
      section.lastChild.replaceWith(notice('info', t('users.none')));
      return;
    }
    const rows = [...owners.entries()].map(([user, o]) => el('tr', {},
      el('th', {scope: 'row'}, user),
      el('td', {}, el('ul', {class: 'plain'}, [...o.characters.entries()].map(([character, n]) => el('li', {},
        el('span', {class: 'mono'}, character), ' (', n, ') ',
        link('memories', {user, character}, t('users.memories')), ' · ',
        link('profile', {user, character}, t('users.profile')))))),
      el('td', {}, time(o.latest))));
    section.lastChild.replaceWith(el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'users-table'},
      el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, t('users.user')),
        el('th', {scope: 'col'}, t('users.characters')), el('th', {scope: 'col'}, t('users.latest')))),
      el('tbody', {}, rows))), cursor ? notice('info', t('users.partial', {count: seen})) : null);
  },
};
