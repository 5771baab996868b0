// Entities of a companion user (user + character) or of a story project: the list, a relation graph (an entity's
// relations out to a few hops, or everything listed), one entity's states, relations and events, and the timeline of
// events by time.
import {api} from '../api.js';
import {addStrings, t, time} from '../i18n.js';
import {append, el, go, notice} from '../dom.js';
import {chip, errorNotice, errorText, loading} from '../widgets.js';
import {graph} from '../graph.js';

addStrings({
  en: {
    'ent.heading': 'Entities', 'ent.scope': 'Whose entities?', 'ent.user': 'User id', 'ent.character': 'Character id',
    'ent.project': 'Story project id', 'ent.or': 'or', 'ent.show': 'Show',
    'ent.scope.hint': 'A companion user (user and character) or a story project.',
    'ent.list': 'Entities', 'ent.none': 'No entities here yet.', 'ent.name': 'Name', 'ent.type': 'Type',
    'ent.aliases': 'Aliases', 'ent.state': 'Current state', 'ent.importance': 'Importance',
    'ent.last': 'Last appearance', 'ent.graph': 'Relation graph', 'ent.graph.of': 'Relations of {name}, {hops} hops',
    'ent.graph.all': 'Relations between the listed entities', 'ent.hops': 'Hops', 'ent.norel': 'No relations.',
    'ent.detail': 'Entity', 'ent.states': 'States', 'ent.events': 'Events', 'ent.relations': 'Relations',
    'ent.description': 'Description', 'ent.attributes': 'Attributes', 'ent.nostates': 'No state history.',
    'ent.noevents': 'No events.', 'ent.seq': '#', 'ent.appearance': 'Appearance', 'ent.storytime': 'Story time',
    'ent.changes': 'Changes', 'ent.summary': 'Event', 'ent.at': 'Recorded', 'ent.timeline': 'Timeline',
    'ent.from': 'From (story time)', 'ent.to': 'To', 'ent.filter': 'Filter', 'ent.story': 'story time {t}',
    'ent.involves': 'involves', 'ent.at.place': 'at', 'ent.open': 'Open', 'ent.close': 'Close',
    'ent.source': 'From', 'ent.target': 'To', 'ent.relation': 'Relation', 'ent.strength': 'Strength',
    'ent.hop': 'Hop', 'ent.pick': 'Pick a companion user or a project above.',
  },
  zh: {
    'ent.heading': '实体', 'ent.scope': '谁的实体？', 'ent.user': '用户 ID', 'ent.character': '角色 ID',
    'ent.project': '故事项目 ID', 'ent.or': '或', 'ent.show': '查看',
    'ent.scope.hint': '陪伴用户（用户和角色）或一个故事项目。',
    'ent.list': '实体列表', 'ent.none': '这里还没有实体。', 'ent.name': '名称', 'ent.type': '类型',
    'ent.aliases': '别名', 'ent.state': '当前状态', 'ent.importance': '重要度',
    'ent.last': '最近出场', 'ent.graph': '关系图', 'ent.graph.of': '{name} 的关系，{hops} 跳',
    'ent.graph.all': '所列实体之间的关系', 'ent.hops': '跳数', 'ent.norel': '没有关系。',
    'ent.detail': '实体', 'ent.states': '状态', 'ent.events': '事件', 'ent.relations': '关系',
    'ent.description': '描述', 'ent.attributes': '属性', 'ent.nostates': '没有状态历史。',
    'ent.noevents': '没有事件。', 'ent.seq': '#', 'ent.appearance': '出场', 'ent.storytime': '故事时间',
    'ent.changes': '变化', 'ent.summary': '事件', 'ent.at': '记录于', 'ent.timeline': '时间线',
    'ent.from': '起（故事时间）', 'ent.to': '止', 'ent.filter': '筛选', 'ent.story': '故事时间 {t}',
    'ent.involves': '涉及', 'ent.at.place': '地点', 'ent.open': '打开', 'ent.close': '关闭',
    'ent.source': '起点', 'ent.target': '终点', 'ent.relation': '关系', 'ent.strength': '强度',
    'ent.hop': '跳', 'ent.pick': '请在上面选择一个陪伴用户或项目。',
  },
});

const enc = encodeURIComponent;
const COMPANION_EVENT_ENTITIES = 50;

function base(params) {
  return params.project ? '/v1/projects/' + enc(params.project)
    : '/v1/users/' + enc(params.user) + '/characters/' + enc(params.character);
}

function scopeOf(params) {
  return params.project ? {project: params.project} : {user: params.user, character: params.character};
}

function scopeForm(params) {
  const input = (id, value) => el('input', {id, value: value || '', autocomplete: 'off', spellcheck: 'false'});
  const user = input('ent-user', params.user);
  const character = input('ent-character', params.character);
  const project = input('ent-project', params.project);
  return el('form', {class: 'filters', 'aria-label': t('ent.scope'), onsubmit: e => {
    e.preventDefault();
    const p = project.value.trim();
    go('entities', p ? {project: p} : {user: user.value.trim(), character: character.value.trim()});
  }},
  el('div', {class: 'field'}, el('label', {for: user.id}, t('ent.user')), user),
  el('div', {class: 'field'}, el('label', {for: character.id}, t('ent.character')), character),
  el('p', {class: 'or', 'aria-hidden': 'true'}, t('ent.or')),
  el('div', {class: 'field'}, el('label', {for: project.id}, t('ent.project')), project),
  el('div', {class: 'field actions'}, el('button', {type: 'submit', id: 'ent-submit'}, t('ent.show'))),
  el('small', {class: 'hint wide'}, t('ent.scope.hint')));
}

/** When an event happened: its story time, else its real time. */
function when(ev) {
  if (ev.story_time_start !== null && ev.story_time_start !== undefined) {
    const end = ev.story_time_end !== null && ev.story_time_end !== undefined && ev.story_time_end !== ev.story_time_start
      ? '–' + ev.story_time_end : '';
    return t('ent.story', {t: ev.story_time_start + end});
  }
  return time(ev.real_time ?? ev.created_at);
}

function sortKey(ev) {
  return ev.story_time_start ?? ev.real_time ?? ev.created_at ?? 0;
}

function nameOf(names, id) {
  return (names.get(id) || {}).name || id;
}

function entityButton(params, names, id) {
  return el('button', {type: 'button', class: 'linkish', 'data-entity-id': id,
    onclick: () => go('entities', {...scopeOf(params), entity: id, hops: params.hops})}, nameOf(names, id));
}

function eventList(events, params, names, id) {
  if (!events.length) return notice('info', t('ent.noevents'));
  return el('ol', {class: 'timeline', id},
    events.map(ev => el('li', {'data-event-id': ev.id},
      el('span', {class: 'when'}, when(ev)), ' ', chip(t('ent.type'), ev.type),
      el('p', {class: 'content summary'}, ev.summary),
      ev.description ? el('p', {class: 'content small'}, ev.description) : null,
      (ev.entity_ids || []).length ? el('p', {class: 'small'}, t('ent.involves'), ': ',
        ev.entity_ids.map((e, i) => [i ? ', ' : '', entityButton(params, names, e)])) : null,
      ev.location_id ? el('p', {class: 'small'}, t('ent.at.place'), ': ', entityButton(params, names, ev.location_id))
        : null)));
}

function relationTable(relations, names, params) {
  if (!relations.length) return notice('info', t('ent.norel'));
  return el('div', {class: 'table-wrap'}, el('table', {class: 'list relations'},
    el('thead', {}, el('tr', {}, [t('ent.source'), t('ent.relation'), t('ent.target'), t('ent.strength'),
      t('ent.hop')].map(h => el('th', {scope: 'col'}, h)))),
    el('tbody', {}, relations.map(r => el('tr', {},
      el('td', {}, entityButton(params, names, r.source_id)), el('td', {class: 'content'}, r.type,
        r.description ? el('span', {class: 'small'}, ' · ', r.description) : null),
      el('td', {}, entityButton(params, names, r.target_id)), el('td', {}, r.strength ?? '—'),
      el('td', {}, r.hop ?? '—'))))));
}

function changes(c) {
  const entries = Object.entries(c || {});
  return entries.length ? entries.map(([k, v]) => k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v))).join('; ')
    : '—';
}

async function detail(params, names) {
  const path = base(params) + '/entities/' + enc(params.entity);
  const box = el('section', {id: 'entity-detail', class: 'card', 'aria-labelledby': 'entity-detail-h'});
  try {
    const [entity, states, events] = await Promise.all([api(path), api(path + '/states'), api(path + '/events')]);
    names.set(entity.id, {name: entity.name, type: entity.type});
    const attrs = Object.entries(entity.attributes || {});
    append(box,
      el('h3', {id: 'entity-detail-h', tabindex: '-1'}, entity.name, ' ', el('span', {class: 'small mono'}, entity.id)),
      el('div', {class: 'chips'}, chip(t('ent.type'), entity.type), chip(t('ent.importance'), entity.importance),
        chip(t('ent.last'), entity.last_appearance)),
      (entity.aliases || []).length ? el('p', {}, el('strong', {}, t('ent.aliases') + ': '),
        el('span', {class: 'content aliases'}, entity.aliases.join(', '))) : null,
      entity.description ? el('p', {class: 'content description'}, entity.description) : null,
      el('p', {}, el('strong', {}, t('ent.state') + ': '),
        el('span', {class: 'content current-state', id: 'entity-current-state'}, entity.current_state ?? '—')),
      attrs.length ? el('dl', {class: 'attributes'}, attrs.map(([k, v]) => [el('dt', {}, k),
        el('dd', {class: 'content'}, typeof v === 'string' ? v : JSON.stringify(v))])) : null,
      el('h4', {}, t('ent.states')),
      states.states.length ? el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'entity-states'},
        el('thead', {}, el('tr', {}, [t('ent.seq'), t('ent.state'), t('ent.appearance'), t('ent.storytime'),
          t('ent.changes'), t('ent.summary'), t('ent.at')].map(h => el('th', {scope: 'col'}, h)))),
        el('tbody', {}, states.states.map(s => el('tr', {},
          el('td', {}, s.seq), el('td', {class: 'content'}, s.state), el('td', {}, s.appearance ?? '—'),
          el('td', {}, s.story_time ?? '—'),
          el('td', {class: 'content'}, changes(s.attribute_changes)),
          el('td', {class: 'content'}, s.event_summary ?? '—'), el('td', {}, time(s.at)))))))
        : notice('info', t('ent.nostates')),
      el('h4', {}, t('ent.events')), eventList(events.events, params, names, 'entity-events'));
  } catch (err) {
    box.append(errorNotice(err));
  }
  return box;
}

async function timeline(params, entities, names) {
  const section = el('section', {id: 'timeline-section', 'aria-labelledby': 'timeline-h'},
    el('h3', {id: 'timeline-h'}, t('ent.timeline')));
  let events;
  try {
    if (params.project) {
      const from = el('input', {id: 'tl-from', type: 'number', step: '1', value: params.from || ''});
      const to = el('input', {id: 'tl-to', type: 'number', step: '1', value: params.to || ''});
      section.append(el('form', {class: 'filters', onsubmit: e => {
        e.preventDefault();
        go('entities', {...scopeOf(params), entity: params.entity, hops: params.hops, from: from.value, to: to.value});
      }}, el('div', {class: 'field'}, el('label', {for: from.id}, t('ent.from')), from),
      el('div', {class: 'field'}, el('label', {for: to.id}, t('ent.to')), to),
      el('div', {class: 'field actions'}, el('button', {type: 'submit', class: 'secondary'}, t('ent.filter')))));
      events = (await api(base(params) + '/events', {query: {from: params.from, to: params.to, limit: 1000}})).events;
    } else {
      // a companion has no list of all events: each entity's, merged
      const lists = await Promise.all(entities.slice(0, COMPANION_EVENT_ENTITIES).map(e =>
        api(base(params) + '/entities/' + enc(e.id) + '/events').then(r => r.events)));
      const byId = new Map();
      for (const ev of lists.flat()) byId.set(ev.id, ev);
      events = [...byId.values()].sort((a, b) => sortKey(a) - sortKey(b));
    }
    section.append(eventList(events, params, names, 'timeline'));
  } catch (err) {
    section.append(errorNotice(err));
  }
  return section;
}

async function graphSection(params, entities, names) {
  const hops = ['1', '2', '3'].includes(params.hops) ? params.hops : '2';
  const section = el('section', {id: 'graph-section', 'aria-labelledby': 'graph-h'});
  let nodes;
  let relations;
  let caption;
  try {
    if (params.entity) {
      const reply = await api(base(params) + '/entities/' + enc(params.entity) + '/relations', {query: {hops}});
      for (const [id, e] of Object.entries(reply.entities || {})) names.set(id, e);
      relations = reply.relations;
      const ids = new Set([params.entity, ...relations.flatMap(r => [r.source_id, r.target_id])]);
      nodes = [...ids];
      caption = t('ent.graph.of', {name: nameOf(names, params.entity), hops});
    } else {
      relations = entities.flatMap(e => e.relations || []);
      const seen = new Set();
      relations = relations.filter(r => {
        const k = r.source_id + '\u0000' + r.target_id + '\u0000' + r.type;
        return seen.has(k) ? false : seen.add(k);
      });
      nodes = [...new Set([...entities.map(e => e.id), ...relations.flatMap(r => [r.source_id, r.target_id])])];
      caption = t('ent.graph.all');
    }
  } catch (err) {
    section.append(el('h3', {id: 'graph-h'}, t('ent.graph')), errorNotice(err));
    return section;
  }
  const hopSelect = el('select', {id: 'ent-hops', onchange: e => go('entities', {...scopeOf(params),
    entity: params.entity, hops: e.target.value})}, ['1', '2', '3'].map(h => el('option', {value: h,
    selected: h === hops}, h)));
  append(section, el('h3', {id: 'graph-h'}, t('ent.graph')),
    params.entity ? el('div', {class: 'row'}, el('div', {class: 'field'}, el('label', {for: hopSelect.id},
      t('ent.hops')), hopSelect)) : null,
    el('p', {class: 'small', id: 'graph-caption'}, caption),
    graph({nodes: nodes.map(id => ({id, label: nameOf(names, id), kind: (names.get(id) || {}).type})),
      edges: relations.map(r => ({source: r.source_id, target: r.target_id, label: r.type})),
      root: params.entity, selected: params.entity, label: caption,
      onOpen: id => go('entities', {...scopeOf(params), entity: id, hops: params.hops})}),
    el('details', {class: 'relations-text'}, el('summary', {}, t('ent.relations')),
      relationTable(relations, names, params)));
  return section;
}

function entityTable(entities, params) {
  if (!entities.length) return notice('info', t('ent.none'));
  return el('div', {class: 'table-wrap'}, el('table', {class: 'list', id: 'entity-table'},
    el('thead', {}, el('tr', {}, [t('ent.name'), t('ent.type'), t('ent.aliases'), t('ent.state'),
      t('ent.importance'), t('ent.last')].map(h => el('th', {scope: 'col'}, h)))),
    el('tbody', {}, entities.map(e => el('tr', {'data-entity-id': e.id, class: e.id === params.entity ? 'current' : ''},
      el('th', {scope: 'row'}, el('button', {type: 'button', class: 'linkish open-entity',
        'aria-current': e.id === params.entity ? 'true' : null,
        onclick: () => go('entities', {...scopeOf(params), entity: e.id, hops: params.hops})}, e.name)),
      el('td', {}, e.type), el('td', {class: 'content'}, (e.aliases || []).join(', ')),
      el('td', {class: 'content'}, e.current_state ?? '—'), el('td', {}, e.importance ?? '—'),
      el('td', {}, e.last_appearance ?? '—'))))));
}

export default {
  id: 'entities',
  nav: true,
  title: {en: 'Entities', zh: '实体'},
  async render(container, params) {
    container.append(el('h2', {}, t('ent.heading')), scopeForm(params));
    if (!params.project && !(params.user && params.character)) {
      container.append(notice('info', t('ent.pick')));
      return;
    }
    const wait = loading();
    container.append(wait);
    let entities;
    try {
      const query = params.project ? {expand: 'relations', limit: 500} : {limit: 500};
      entities = (await api(base(params) + '/entities', {query})).entities;
    } catch (err) {
      wait.replaceWith(notice('error', errorText(err)));
      return;
    }
    const names = new Map(entities.map(e => [e.id, {name: e.name, type: e.type}]));
    names.set('user', names.get('user') || {name: 'user', type: 'person'});
    const [graphPart, detailPart, timelinePart] = await Promise.all([graphSection(params, entities, names),
      params.entity ? detail(params, names) : null, timeline(params, entities, names)]);
    wait.replaceWith(el('div', {class: 'entities-layout'},
      el('section', {'aria-labelledby': 'ent-list-h', class: 'entity-list'},
        el('h3', {id: 'ent-list-h'}, t('ent.list')), entityTable(entities, params)),
      graphPart, detailPart, timelinePart));
    if (detailPart && params.entity) {
      const h = detailPart.querySelector('#entity-detail-h');
      if (h) h.focus({preventScroll: false});
    }
  },
};
