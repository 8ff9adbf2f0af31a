import { api, ago, el, params, post, stamp, waited, whoami } from '/ui/chorus.js';

const $ = (id) => document.getElementById(id);
const brand = params.get('brand');
const q = brand ? `?brand=${encodeURIComponent(brand)}` : '';
const me = $('me');
me.value = localStorage.getItem('chorus.me') ?? params.get('me') ?? '';
me.addEventListener('change', () => localStorage.setItem('chorus.me', me.value.trim()));
// Logged in, the acknowledgements are the person's own: the API records them as the principal whatever is typed.
whoami().then((p) => {
  if (p && p.kind !== 'local') {
    me.value = p.name;
    me.disabled = true;
  }
});

function paging(page) {
  if (!page) return el('span', { class: 'muted' }, '–');
  if (page.state === 'acknowledged') return el('span', { class: 'pos' }, `acknowledged by ${page.by ?? '?'}`);
  if (page.state === 'exhausted') return el('span', { class: 'neg' }, 'nobody acknowledged');
  return el('span', {}, `${page.levelName} (${page.targets.join(', ')})`, el('div', { class: 'muted' }, `round ${page.round + 1}, paged ${ago(page.at)}`));
}

async function acknowledge(button, run) {
  const by = me.value.trim();
  if (!by) {
    me.focus();
    me.placeholder = 'your name first';
    return;
  }
  button.disabled = true;
  try {
    await run(by);
    await refresh();
  } catch (e) {
    button.disabled = false;
    button.title = e.message;
    stamp($('stamp'), e);
  }
}

async function refresh() {
  try {
    const [queue, incidents] = await Promise.all([api(`/v1/crisis-queue${q}`), api(`/v1/incidents${q}`)]);
    $('count').textContent = String(queue.total);
    $('queue').replaceChildren(
      ...(queue.items.length === 0
        ? [el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'Nothing in the crisis queue'))]
        : queue.items.map(({ mention: m, severity, waitingSeconds, page, storyCount }) =>
            el('tr', { 'data-mention': m.id },
              el('td', {}, el('span', { class: `sev s${severity}` }, severity)),
              el('td', {}, el('div', { class: 'who' }, `@${m.author.handle} · ${(m.author.followers ?? 0).toLocaleString()} followers · ${m.source}`, storyCount > 1 ? el('span', { class: 'story', title: 'copies, retweets and syndications of this post in the queue' }, ` · ×${storyCount} in this story`) : null), el('div', {}, m.text)),
              el('td', { class: 'reasons' }, m.routing.reasons.slice(0, 3).map((r) => el('div', {}, r.message))),
              el('td', {}, waited(waitingSeconds)),
              el('td', {}, paging(page)),
              el('td', {}, page && page.state !== 'acknowledged'
                ? el('button', { class: 'primary', onclick: (ev) => acknowledge(ev.currentTarget, (by) => post(`/v1/crisis-queue/${m.id}/acknowledge`, { by })) }, 'Acknowledge')
                : null),
            ),
          )),
    );
    $('incidents').replaceChildren(
      ...(incidents.items.length === 0
        ? [el('div', { class: 'empty' }, 'No open incidents')]
        : incidents.items.map((i) =>
            el('div', { class: 'card', 'data-incident': i.id },
              el('div', {}, el('span', { class: `sev s${i.severity}` }, i.severity), ' ', el('strong', {}, i.title)),
              el('div', { class: 'reasons' }, `${i.brand} · ${i.topic} · opened ${ago(i.openedAt)} · ${i.mentionIds.length} mention${i.mentionIds.length === 1 ? '' : 's'} · ${i.state}${i.acknowledgedBy ? ` by ${i.acknowledgedBy}` : ''}`),
              i.state === 'open' ? el('div', { class: 'actions' }, el('button', { onclick: (ev) => acknowledge(ev.currentTarget, (by) => post(`/v1/incidents/${i.id}/acknowledge`, { by })) }, 'Own this incident')) : null,
            ),
          )),
    );
    stamp($('stamp'));
  } catch (e) {
    stamp($('stamp'), e);
  }
}

refresh();
setInterval(refresh, 5000);
