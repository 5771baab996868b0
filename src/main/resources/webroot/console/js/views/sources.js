// A memory's provenance: the archived conversation it came from (GET /v1/sessions/{id}/archive; before the session
// is archived, its messages as Engram keeps them, memories of type message), the messages it cites marked.
import {api} from '../api.js';
import {addStrings, t, time} from '../i18n.js';
import {el, link, notice} from '../dom.js';
import {errorNotice, loading} from '../widgets.js';

addStrings({
  en: {
    'src.heading': 'Source messages', 'src.of': 'Where this memory came from:', 'src.session': 'Session {session}',
    'src.none': 'This memory names no source session.', 'src.empty': 'No archived message of this session was found.',
    'src.cited': 'cited', 'src.back': 'Back to the memory', 'src.count': '{count} messages, {cited} cited',
    'src.missing': 'Which memory? Open one from the list.',
    'src.archived': 'Archived conversation: {path}', 'src.unarchived': 'Not archived yet: the session\'s message memories.',
  },
  zh: {
    'src.heading': '来源消息', 'src.of': '这条记忆来自：', 'src.session': '会话 {session}',
    'src.none': '这条记忆没有来源会话。', 'src.empty': '没有找到此会话的存档消息。',
    'src.cited': '引用', 'src.back': '返回记忆', 'src.count': '{count} 条消息，引用 {cited} 条',
    'src.missing': '哪条记忆？请从列表打开。',
    'src.archived': '存档对话：{path}', 'src.unarchived': '尚未存档：显示此会话的消息记忆。',
  },
});

const PAGES = 10;

export default {
  id: 'sources',
  nav: false,
  title: {en: 'Source messages', zh: '来源消息'},
  async render(container, params) {
    container.append(el('h2', {}, t('src.heading')));
    if (!params.id) {
      container.append(notice('error', t('src.missing')));
      return;
    }
    container.append(el('p', {}, link('memory', {id: params.id}, t('src.back'))), loading());
    try {
      const m = await api('/v1/memories/' + encodeURIComponent(params.id));
      const p = m.provenance || {};
      if (!p.session_id) {
        container.lastChild.replaceWith(notice('info', t('src.none')));
        return;
      }
      const cited = new Set(p.msg_ids || []);
      const archive = await archived(m, p.session_id);
      const messages = archive ? archive.messages : await fromMemories(m, p.session_id);
      const isCited = msg => msg.msg_ids.some(id => cited.has(id));
      const items = messages.map(msg => {
        const mine = isCited(msg);
        return el('li', {class: 'message ' + (msg.role === 'assistant' ? 'assistant' : 'user') + (mine ? ' cited' : ''),
          'data-msg-ids': msg.msg_ids.join(' ')},
        el('div', {class: 'who'}, el('strong', {}, msg.who || '?'), ' · ',
          time(msg.at), ' · ', el('span', {class: 'mono'}, msg.msg_ids.join(', ')),
          mine ? el('span', {class: 'badge'}, t('src.cited')) : null),
        el('p', {class: 'content'}, msg.content));
      });
      container.lastChild.replaceWith(
        el('section', {class: 'card'}, el('p', {}, t('src.of')), el('p', {class: 'content'}, m.content)),
        el('h3', {}, t('src.session', {session: p.session_id})),
        el('p', {id: 'sources-origin', class: 'hint'}, archive ? t('src.archived', {path: archive.archive_path})
          : t('src.unarchived')),
        messages.length ? el('p', {id: 'sources-count'},
          t('src.count', {count: messages.length, cited: messages.filter(isCited).length})) : null,
        messages.length ? el('ol', {class: 'conversation', id: 'source-messages',
          'data-source': archive ? 'archive' : 'memories'}, items)
          : notice('info', t('src.empty')));
    } catch (err) {
      container.lastChild.replaceWith(errorNotice(err));
    }
  },
};

/** The session's archived conversation, as shown messages; null while it is not archived (404). */
async function archived(m, session) {
  try {
    const a = await api('/v1/sessions/' + encodeURIComponent(session) + '/archive',
      {query: {user_id: m.user_id, character_id: m.character_id}});
    a.messages = a.messages.map(msg => ({msg_ids: msg.msg_id ? [msg.msg_id] : [], role: msg.role,
      who: msg.name || msg.role, at: msg.timestamp, content: msg.content}));
    return a;
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}

/** Before archiving: the session's messages as Engram keeps them, memories of type message. */
async function fromMemories(m, session) {
  const found = [];
  let cursor = null;
  for (let page = 0; page < PAGES; page++) {
    const reply = await api('/v1/memories', {query: {user_id: m.user_id, character_id: m.character_id,
      type: 'message', limit: 500, cursor}});
    for (const msg of reply.memories) {
      if (msg.provenance && msg.provenance.session_id === session) found.push(msg);
    }
    cursor = reply.next_cursor;
    if (!cursor) break;
  }
  found.sort((a, b) => (a.valid_from || a.created_at) - (b.valid_from || b.created_at)
    || String(a.id).localeCompare(String(b.id)));
  return found.map(msg => {
    const meta = msg.metadata || {};
    return {msg_ids: msg.provenance.msg_ids || [], role: meta.role, who: meta.speaker || meta.name || meta.role,
      at: msg.valid_from, content: msg.content};
  });
}
