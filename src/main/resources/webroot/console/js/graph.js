// A relation graph in plain SVG: nodes on rings by their hop from a root, labelled edges, pan (drag, arrow keys),
// zoom (wheel, + / - buttons and keys). Labels go in as text nodes only; positions are attributes (the CSP forbids
// inline styles).
import {addStrings, t} from './i18n.js';
import {el} from './dom.js';

addStrings({
  en: {'graph.controls': 'Graph view', 'graph.in': 'Zoom in', 'graph.out': 'Zoom out', 'graph.reset': 'Reset view',
    'graph.hint': 'Drag or arrow keys to pan, wheel or + / - to zoom; Enter on an entity opens it.'},
  zh: {'graph.controls': '关系图视图', 'graph.in': '放大', 'graph.out': '缩小', 'graph.reset': '复位',
    'graph.hint': '拖动或方向键平移，滚轮或 + / - 缩放；在实体上按回车打开它。'},
});

const NS = 'http://www.w3.org/2000/svg';
const W = 800;
const H = 560;

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function short(s, n) {
  s = String(s ?? '');
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** Positions: the root at the centre, every other node on the ring of its hop (unreached ones on the outermost). */
export function layout(nodes, edges, rootId) {
  const adj = new Map(nodes.map(n => [n.id, []]));
  for (const e of edges) {
    if (adj.has(e.source) && adj.has(e.target)) {
      adj.get(e.source).push(e.target);
      adj.get(e.target).push(e.source);
    }
  }
  const root = adj.has(rootId) ? rootId
    : [...adj.keys()].sort((a, b) => adj.get(b).length - adj.get(a).length || (a < b ? -1 : 1))[0];
  const hop = new Map([[root, 0]]);
  const queue = [root];
  while (queue.length) {
    const at = queue.shift();
    for (const next of adj.get(at) || []) {
      if (!hop.has(next)) {
        hop.set(next, hop.get(at) + 1);
        queue.push(next);
      }
    }
  }
  const maxHop = Math.max(0, ...hop.values());
  const rings = new Map();
  for (const n of nodes) {
    const h = hop.has(n.id) ? hop.get(n.id) : maxHop + 1;
    if (!rings.has(h)) rings.set(h, []);
    rings.get(h).push(n.id);
  }
  const count = Math.max(...rings.keys(), 1);
  const step = Math.min(W, H) * 0.42 / count;
  const pos = new Map();
  for (const [h, ids] of rings) {
    ids.forEach((id, i) => {
      // each ring turned a little more, so an edge between rings never runs through the centre node
      const a = -Math.PI / 2 + 2 * Math.PI * i / ids.length + h * 0.9;
      const r = h === 0 && ids.length === 1 ? 0 : Math.max(step * h, step * 0.6);
      pos.set(id, {x: W / 2 + r * Math.cos(a) * 1.35, y: H / 2 + r * Math.sin(a)});
    });
  }
  return pos;
}

/**
 * graph({nodes:[{id, label, kind}], edges:[{source, target, label}], root, selected, onOpen(id), label}) → a figure
 * holding the zoom buttons and the SVG.
 */
export function graph({nodes, edges, root, selected, onOpen, label}) {
  const pos = layout(nodes, edges, root);
  let view = {x: 0, y: 0, k: 1};
  const stage = svg('g', {class: 'stage'});
  const apply = () => stage.setAttribute('transform', `translate(${view.x.toFixed(1)} ${view.y.toFixed(1)}) scale(${view.k.toFixed(3)})`);
  const defs = svg('defs', {}, svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: '22', refY: '5',
    markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse'}, svg('path', {d: 'M0,0 L10,5 L0,10 z',
    class: 'arrow'})));
  for (const e of edges) {
    const a = pos.get(e.source);
    const b = pos.get(e.target);
    if (!a || !b) continue;
    stage.append(svg('g', {class: 'edge', 'data-source': e.source, 'data-target': e.target},
      svg('line', {x1: a.x, y1: a.y, x2: b.x, y2: b.y, 'marker-end': 'url(#arrow)'}),
      svg('text', {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, 'text-anchor': 'middle', class: 'edge-label'},
        short(e.label, 24))));
  }
  for (const n of nodes) {
    const p = pos.get(n.id);
    const open = () => onOpen(n.id);
    stage.append(svg('g', {class: 'node' + (n.id === selected ? ' selected' : '') + (n.id === root ? ' root' : ''),
      'data-entity-id': n.id, tabindex: '0', role: 'button', 'aria-label': n.label + (n.kind ? ' (' + n.kind + ')' : ''),
      transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`, onclick: open,
      onkeydown: e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } }},
    svg('title', {}, n.label), svg('circle', {r: '16', class: 'kind-' + (n.kind || 'other')}),
    svg('text', {y: '32', 'text-anchor': 'middle', class: 'node-label'}, short(n.label, 18))));
  }
  apply();
  const canvas = svg('svg', {viewBox: `0 0 ${W} ${H}`, class: 'graph', role: 'group', 'aria-label': label,
    tabindex: '0', id: 'entity-graph-svg'}, svg('title', {}, label), defs, svg('rect', {width: W, height: H,
    class: 'backdrop'}), stage);

  const zoom = (factor, cx = W / 2, cy = H / 2) => {
    const k = Math.min(4, Math.max(0.25, view.k * factor));
    view = {k, x: cx - (cx - view.x) * k / view.k, y: cy - (cy - view.y) * k / view.k};
    apply();
  };
  const toSvg = (dx, dy) => {
    const r = canvas.getBoundingClientRect();
    return [dx * W / (r.width || W), dy * H / (r.height || H)];
  };
  let drag = null;
  canvas.addEventListener('pointerdown', e => {
    if (e.target.closest && e.target.closest('.node')) return;
    drag = {x: e.clientX, y: e.clientY, vx: view.x, vy: view.y};
    canvas.setPointerCapture(e.pointerId);
    canvas.classList.add('dragging');
  });
  canvas.addEventListener('pointermove', e => {
    if (!drag) return;
    const [dx, dy] = toSvg(e.clientX - drag.x, e.clientY - drag.y);
    view.x = drag.vx + dx;
    view.y = drag.vy + dy;
    apply();
  });
  const stop = () => { drag = null; canvas.classList.remove('dragging'); };
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
  canvas.addEventListener('wheel', e => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    const [cx, cy] = toSvg(e.clientX - r.left, e.clientY - r.top);
    zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, cx, cy);
  }, {passive: false});
  canvas.addEventListener('keydown', e => {
    if (e.target !== canvas) return;
    const moves = {ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, 40], ArrowDown: [0, -40]};
    if (moves[e.key]) {
      view.x += moves[e.key][0];
      view.y += moves[e.key][1];
      apply();
    } else if (e.key === '+' || e.key === '=') {
      zoom(1.25);
    } else if (e.key === '-') {
      zoom(0.8);
    } else if (e.key === '0') {
      view = {x: 0, y: 0, k: 1};
      apply();
    } else {
      return;
    }
    e.preventDefault();
  });
  const controls = el('div', {class: 'actions graph-controls', role: 'group', 'aria-label': t('graph.controls')},
    el('button', {type: 'button', class: 'small secondary', id: 'graph-zoom-in', 'aria-label': t('graph.in'),
      onclick: () => zoom(1.25)}, '+'),
    el('button', {type: 'button', class: 'small secondary', id: 'graph-zoom-out', 'aria-label': t('graph.out'),
      onclick: () => zoom(0.8)}, '−'),
    el('button', {type: 'button', class: 'small secondary', id: 'graph-reset', onclick: () => {
      view = {x: 0, y: 0, k: 1};
      apply();
    }}, t('graph.reset')),
    el('span', {class: 'hint'}, t('graph.hint')));
  return el('figure', {class: 'graph-figure'}, controls, canvas);
}
