import { api, ago, el, params, stamp, streamUrl } from '/ui/chorus.js';

const brand = params.get('brand');
const q = brand ? `&brand=${encodeURIComponent(brand)}` : '';
const $ = (id) => document.getElementById(id);
const FEED_SIZE = 14;

function pct(part, whole) {
  return whole > 0 ? Math.round((100 * part) / whole) : 0;
}

async function refresh() {
  try {
    const [stats, incidents] = await Promise.all([api(`/v1/stats?minutes=60${q}`), api(`/v1/incidents?limit=5${q}`)]);
    const s = stats.sentiment;
    const total = stats.total;
    $('total').textContent = total.toLocaleString();
    const delta = stats.previousTotal > 0 ? Math.round((100 * (total - stats.previousTotal)) / stats.previousTotal) : null;
    $('trend').textContent = delta === null ? 'nothing the hour before' : `${delta >= 0 ? '▲' : '▼'} ${Math.abs(delta)}% vs the hour before`;
    $('negShare').textContent = `${pct(s.negative, total)}%`;
    $('negCount').textContent = `${s.negative} negative mentions`;
    $('crisis').textContent = String(stats.decisions.crisis ?? 0);
    $('sentimentBar').replaceChildren(...['negative', 'neutral', 'positive'].map((k) => el('span', { class: k.slice(0, 3), style: `width:${pct(s[k], total)}%`, title: `${k}: ${s[k]}` })));
    $('sentimentText').textContent = `${pct(s.negative, total)}% negative · ${pct(s.neutral, total)}% neutral · ${pct(s.positive, total)}% positive`;
    const max = Math.max(1, ...stats.topics.map((t) => t.count));
    $('topics').replaceChildren(
      ...(stats.topics.length === 0
        ? [el('div', { class: 'empty' }, 'No mentions in the last hour')]
        : stats.topics.map((t) =>
            el('div', { class: 'topic', 'data-topic': t.id },
              el('span', {}, t.id.replace(/_/g, ' '), ' ', t.rising ? el('span', { class: 'chip rising' }, '▲ rising') : null),
              el('span', { class: 'muted' }, `${t.count}`, el('span', { class: 'neg' }, ` · ${t.negative} neg`)),
              el('div', { class: 'bar' }, el('span', { class: 'neg', style: `width:${(100 * t.negative) / max}%` }), el('span', { class: 'neu', style: `width:${(100 * (t.count - t.negative)) / max}%` })),
            ),
          )),
    );
    $('languages').replaceChildren(...stats.languages.map((l) => el('span', { class: 'chip' }, `${l.lang} ${l.count}`)));
    $('incidents').replaceChildren(
      ...(incidents.items.length === 0
        ? [el('div', { class: 'empty' }, 'No open incidents')]
        : incidents.items.map((i) => el('div', { class: 'topic', 'data-incident': i.id }, el('span', {}, el('span', { class: `sev s${i.severity}` }, i.severity), ' ', i.title), el('span', { class: 'muted' }, ago(i.openedAt))))),
    );
    stamp($('stamp'));
  } catch (e) {
    stamp($('stamp'), e);
  }
}

function addToFeed(m, atTop) {
  const li = el('li', { 'data-mention': m.id },
    el('span', { class: `dot ${m.classification.sentiment.label}` }),
    el('div', {},
      el('div', { class: 'who' }, `@${m.author.handle} · ${m.source} · ${ago(m.createdAt)} · ${m.routing.decision}`),
      el('div', {}, m.text),
    ),
  );
  const feed = $('feed');
  if (atTop) feed.prepend(li);
  else feed.append(li);
  while (feed.children.length > FEED_SIZE) feed.lastElementChild.remove();
}

async function start() {
  const latest = await api(`/v1/mentions?limit=${FEED_SIZE}${q}`).catch(() => ({ items: [] }));
  for (const m of latest.items) addToFeed(m, false);
  if (latest.items.length === 0) $('feed').append(el('li', { class: 'empty' }, 'Waiting for mentions…'));
  const stream = new EventSource(streamUrl(`/v1/stream${brand ? `?brand=${encodeURIComponent(brand)}` : ''}`));
  stream.addEventListener('mention', (ev) => {
    $('feed').querySelector('.empty')?.remove();
    addToFeed(JSON.parse(ev.data), true);
  });
  await refresh();
  setInterval(refresh, 10_000);
}

start();
