// Pieces several views share: the owner (user + character) picker, chips, error notices, async buttons.
import {addStrings, t} from './i18n.js';
import {el, notice} from './dom.js';

addStrings({
  en: {
    'w.user': 'User id', 'w.character': 'Character id', 'w.show': 'Show', 'w.loading': 'Loading…',
    'w.error': 'Error {status}: {message}', 'w.error.network': 'No answer from the server: {message}',
    'w.error.field': ' (field: {field})', 'w.empty': 'Nothing here.',
  },
  zh: {
    'w.user': '用户 ID', 'w.character': '角色 ID', 'w.show': '查看', 'w.loading': '加载中…',
    'w.error': '错误 {status}：{message}', 'w.error.network': '服务器没有应答：{message}',
    'w.error.field': '（字段：{field}）', 'w.empty': '这里什么也没有。',
  },
});

/** The API error as one line: status, the API's message and field. */
export function errorText(err) {
  if (!err.status) return t('w.error.network', {message: err.message});
  return t('w.error', {status: err.status, message: err.message}) + (err.field ? t('w.error.field', {field: err.field}) : '');
}

export function errorNotice(err) {
  return notice('error', errorText(err));
}

export function loading() {
  return notice('info', t('w.loading'));
}

/** A small labelled value: "importance 7". */
export function chip(label, value, kind) {
  return el('span', {class: 'chip' + (kind ? ' ' + kind : '')}, el('span', {class: 'chip-label'}, label), ' ',
    el('span', {class: 'chip-value'}, value === null || value === undefined ? '—' : String(value)));
}

/** A form with user and character fields; submit calls onPick({user, character}). */
export function ownerForm(prefix, params, onPick, extra) {
  const user = el('input', {id: prefix + '-user', name: 'user', value: params.user || '', required: true,
    autocomplete: 'off', spellcheck: 'false'});
  const character = el('input', {id: prefix + '-character', name: 'character', value: params.character || '',
    autocomplete: 'off', spellcheck: 'false'});
  const form = el('form', {class: 'filters', onsubmit: e => {
    e.preventDefault();
    onPick({user: user.value.trim(), character: character.value.trim()});
  }},
  el('div', {class: 'field'}, el('label', {for: user.id}, t('w.user')), user),
  el('div', {class: 'field'}, el('label', {for: character.id}, t('w.character')), character),
  extra || null,
  el('div', {class: 'field actions'}, el('button', {type: 'submit', id: prefix + '-submit'}, t('w.show'))));
  return form;
}
