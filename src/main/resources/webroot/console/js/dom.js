// DOM building without markup: text only ever goes in through textContent / text nodes, never innerHTML, so stored
// memories (whatever they contain) are shown as text.

const BOOLEAN = new Set(['checked', 'selected', 'disabled', 'required', 'hidden', 'open', 'multiple', 'readonly']);

/**
 * el('button', {class: 'x', onclick: fn, 'aria-label': '…'}, 'text', otherNode, [more]) → the element.
 * attrs: 'class', 'text' (textContent), 'value', boolean properties, on<event>: function, anything else an attribute.
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'innerHTML' || name === 'outerHTML' || name === 'srcdoc') {
      throw new Error('el: ' + name + ' is not allowed');
    }
    if (name.startsWith('on')) {
      if (typeof value !== 'function') throw new Error('el: ' + name + ' must be a function');
      node.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      node.className = value;
    } else if (name === 'text') {
      node.textContent = String(value);
    } else if (name === 'value') {
      node.value = String(value);
    } else if (BOOLEAN.has(name)) {
      node[name] = true;
      if (name !== 'checked' && name !== 'selected') node.setAttribute(name, '');
    } else if ((name === 'href' || name === 'src' || name === 'action') && /^\s*(javascript|data|vbscript):/i.test(value)) {
      throw new Error('el: refusing a script URL in ' + name);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, ...children);
  return node;
}

/** Appends children (nodes, strings, numbers, nested arrays; null/undefined/false skipped) as nodes or text. */
export function append(node, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Empties a node. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/** The hash of a view: href('memories', {user: 'u1'}) → '#/memories?user=u1' (empty values dropped). */
export function href(view, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return '#/' + encodeURIComponent(view) + (s ? '?' + s : '');
}

/** Goes to a view (the router renders it). */
export function go(view, params) {
  location.hash = href(view, params);
}

/** A link to a view. */
export function link(view, params, ...children) {
  return el('a', {href: href(view, params)}, ...children);
}

/** A labelled form control: <label for=id>text</label> + the control (given an id). */
export function field(labelText, control, hint) {
  const wrap = el('div', {class: 'field'}, el('label', {for: control.id}, labelText), control);
  if (hint) {
    const hintId = control.id + '-hint';
    control.setAttribute('aria-describedby', hintId);
    wrap.append(el('small', {id: hintId, class: 'hint'}, hint));
  }
  return wrap;
}

/** A status line for errors and notices, announced to screen readers. */
export function notice(kind, ...children) {
  return el('p', {class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status'}, ...children);
}
