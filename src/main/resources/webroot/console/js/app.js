// The shell: header (navigation, language, sign-out), the hash router (#/<view>?k=v) and the one list of views.
import {apiKey, setApiKey} from './api.js';
import {addStrings, lang, onLangChange, setLang, t} from './i18n.js';
import {clear, el, go, href, notice} from './dom.js';
import signin from './views/signin.js';
import users from './views/users.js';
import memories from './views/memories.js';
import memory from './views/memory.js';
import sources from './views/sources.js';
import profile from './views/profile.js';
import playground from './views/playground.js';
import ops from './views/ops.js';
import conflicts from './views/conflicts.js';
import entities from './views/entities.js';

/** Every view, in navigation order; a view module exports {id, nav, title: {en, zh}, render(container, params)}. */
export const VIEWS = [signin, users, memories, profile, memory, sources, conflicts, entities, playground, ops];

const HOME = 'users';

addStrings({
  en: {
    'app.title': 'Engram console', 'app.nav': 'Main', 'app.language': 'Language', 'app.signout': 'Sign out',
    'app.unknown': 'No such page.', 'app.failed': 'This page failed: {message}', 'app.skip': 'Skip to content',
  },
  zh: {
    'app.title': 'Engram 控制台', 'app.nav': '主导航', 'app.language': '语言', 'app.signout': '退出',
    'app.unknown': '没有这个页面。', 'app.failed': '页面出错：{message}', 'app.skip': '跳到正文',
  },
});

const root = document.getElementById('app');
const main = el('main', {id: 'main', tabindex: '-1'});
let rendering = 0;

function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  return {id: decodeURIComponent(path || ''), params};
}

function titleOf(view) {
  return view.title[lang()] || view.title.en;
}

function header(activeId) {
  const signedIn = !!apiKey();
  const nav = el('nav', {'aria-label': t('app.nav'), class: 'nav'},
    el('ul', {}, VIEWS.filter(v => v.nav && signedIn).map(v => el('li', {},
      el('a', {href: href(v.id), 'aria-current': v.id === activeId ? 'page' : null}, titleOf(v))))));
  const select = el('select', {id: 'lang-select', onchange: e => setLang(e.target.value)},
    el('option', {value: 'en', selected: lang() === 'en'}, 'English'),
    el('option', {value: 'zh', selected: lang() === 'zh'}, '中文'));
  const tools = el('div', {class: 'tools'},
    el('label', {for: 'lang-select', class: 'inline'}, t('app.language')), select,
    signedIn ? el('button', {type: 'button', id: 'sign-out', class: 'secondary', onclick: signOut}, t('app.signout'))
      : null);
  return el('header', {class: 'top'},
    el('a', {class: 'skip', href: '#main', onclick: e => { e.preventDefault(); main.focus(); }}, t('app.skip')),
    el('h1', {class: 'brand'}, el('a', {href: href(HOME)}, t('app.title'))), nav, tools);
}

function signOut() {
  setApiKey(null);
  go('signin');
}

async function route() {
  let {id, params} = parse();
  if (!apiKey() && id !== 'signin') {
    go('signin');
    return;
  }
  if (!id) {
    go(HOME);
    return;
  }
  const view = VIEWS.find(v => v.id === id);
  const mine = ++rendering;
  clear(root).append(header(id), main);
  clear(main);
  if (!view) {
    main.append(notice('error', t('app.unknown')));
    return;
  }
  document.title = titleOf(view) + ' · ' + t('app.title');
  try {
    await view.render(main, params);
  } catch (err) {
    if (mine === rendering) main.append(notice('error', t('app.failed', {message: err.message})));
  }
}

// after a navigation, keyboard and screen-reader users start at the new page's content (a view may move focus on)
window.addEventListener('hashchange', async () => {
  await route();
  if (!main.contains(document.activeElement)) main.focus({preventScroll: true});
});
onLangChange(route);
route();
