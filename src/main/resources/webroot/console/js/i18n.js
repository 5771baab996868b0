// Strings in English and Chinese. Each view registers its own with addStrings, so views never share a strings file.

const LANG_KEY = 'engram.console.lang';
const strings = {en: {}, zh: {}};
const listeners = [];

let current = sessionStorage.getItem(LANG_KEY)
  || ((navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en');

/** addStrings({en: {key: 'text {name}'}, zh: {key: '文本 {name}'}}). */
export function addStrings(table) {
  for (const [language, entries] of Object.entries(table)) {
    strings[language] = Object.assign(strings[language] || {}, entries);
  }
}

/** The current language: 'en' or 'zh'. */
export function lang() {
  return current;
}

/** Switches the language (kept for this tab) and tells the listeners (the shell re-renders). */
export function setLang(language) {
  current = language === 'zh' ? 'zh' : 'en';
  sessionStorage.setItem(LANG_KEY, current);
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const f of listeners) f(current);
}

export function onLangChange(f) {
  listeners.push(f);
}

/** The string for key in the current language ({name} replaced from vars), English, or the key itself. */
export function t(key, vars) {
  const s = strings[current][key] ?? strings.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (vars && name in vars ? String(vars[name]) : m));
}

/** An epoch-seconds time as local date and time in the current language; '—' for none. */
export function time(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  return new Date(seconds * 1000).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB',
    {year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'});
}

/** An epoch-seconds time as year and month (2026-11). */
export function month(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const d = new Date(seconds * 1000);
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');
}

document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
