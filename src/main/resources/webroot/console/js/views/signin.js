// Sign-in: the API key, checked by a real API call, kept in this tab's sessionStorage only.
import {api, apiKey, setApiKey} from '../api.js';
import {addStrings, t} from '../i18n.js';
import {el, go, notice} from '../dom.js';
import {errorText} from '../widgets.js';

addStrings({
  en: {
    'signin.heading': 'Sign in', 'signin.key': 'API key', 'signin.submit': 'Sign in',
    'signin.hint': 'Kept in this browser tab only (session storage) and sent with each API call.',
    'signin.checking': 'Checking the key…', 'signin.rejected': 'The API refused this key: {message}',
    'signin.empty': 'Type an API key.', 'signin.noread': 'Signed in, but this key has no read scope: {message}',
    'signin.signedin': 'You are signed in.',
  },
  zh: {
    'signin.heading': '登录', 'signin.key': 'API 密钥', 'signin.submit': '登录',
    'signin.hint': '只保存在本标签页（session storage），随每次 API 调用发送。',
    'signin.checking': '正在验证密钥…', 'signin.rejected': 'API 拒绝了这个密钥：{message}',
    'signin.empty': '请输入 API 密钥。', 'signin.noread': '已登录，但此密钥没有 read 权限：{message}',
    'signin.signedin': '你已登录。',
  },
});

export default {
  id: 'signin',
  nav: false,
  title: {en: 'Sign in', zh: '登录'},
  render(container) {
    const input = el('input', {id: 'api-key', type: 'password', name: 'api-key', autocomplete: 'off',
      spellcheck: 'false', required: true, 'aria-describedby': 'api-key-hint'});
    const status = el('div', {id: 'signin-status', 'aria-live': 'polite'});
    const submit = el('button', {type: 'submit', id: 'signin-submit'}, t('signin.submit'));
    const form = el('form', {class: 'card narrow', id: 'signin-form', onsubmit: async e => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) {
        status.replaceChildren(notice('error', t('signin.empty')));
        input.focus();
        return;
      }
      submit.disabled = true;
      status.replaceChildren(notice('info', t('signin.checking')));
      const previous = apiKey();
      setApiKey(key);
      try {
        // the cheapest call a read key may make; 401 means the key itself is wrong
        await api('/v1/memories', {query: {limit: 1}});
        go('users');
      } catch (err) {
        if (err.status === 403) {
          status.replaceChildren(notice('info', t('signin.noread', {message: err.message})));
          go('users');
          return;
        }
        setApiKey(previous);
        status.replaceChildren(notice('error', err.status === 401 ? t('signin.rejected', {message: err.message})
          : errorText(err)));
        input.focus();
        input.select();
      } finally {
        submit.disabled = false;
      }
    }},
    el('h2', {}, t('signin.heading')),
    el('div', {class: 'field'}, el('label', {for: 'api-key'}, t('signin.key')), input,
      el('small', {id: 'api-key-hint', class: 'hint'}, t('signin.hint'))),
    el('div', {class: 'actions'}, submit),
    status);
    container.append(apiKey() ? notice('info', t('signin.signedin')) : null, form);
    input.focus();
  },
};
