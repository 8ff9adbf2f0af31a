import { api, ago, el, params, post, stamp } from '/ui/chorus.js';

const $ = (id) => document.getElementById(id);
const expertId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
const state = params.get('state') === 'all' ? 'all' : 'open';

async function act(button, path, body) {
  button.disabled = true;
  try {
    await post(`/v1/assignments/${path}`, { ...body, actor: expertId });
    await refresh();
  } catch (e) {
    button.disabled = false;
    stamp($('stamp'), e);
  }
}

function actions(a) {
  if (a.state === 'offered') {
    const reason = el('input', { placeholder: 'why not (to decline)', 'aria-label': 'decline reason' });
    return el('div', { class: 'actions' },
      el('button', { class: 'primary', onclick: (ev) => act(ev.currentTarget, `${a.id}/accept`, {}) }, 'Accept'),
      reason,
      el('button', { onclick: (ev) => (reason.value.trim() ? act(ev.currentTarget, `${a.id}/decline`, { reason: reason.value.trim() }) : reason.focus()) }, 'Decline'),
    );
  }
  if (a.state === 'accepted') {
    const url = el('input', { placeholder: 'link to your public reply', 'aria-label': 'reply link', type: 'url' });
    return el('div', { class: 'actions' }, url, el('button', { class: 'primary', onclick: (ev) => (url.value.trim() ? act(ev.currentTarget, `${a.id}/answer`, { replyUrl: url.value.trim() }) : url.focus()) }, 'Answered'));
  }
  if (a.state === 'answered') return el('div', { class: 'actions' }, el('button', { onclick: (ev) => act(ev.currentTarget, `${a.id}/resolve`, {}) }, 'Resolve'));
  return null;
}

async function acceptGuidelines(button, g) {
  button.disabled = true;
  try {
    await post(`/v1/experts/${encodeURIComponent(expertId)}/guidelines/accept`, { brand: g.brand, version: g.version });
    await refresh();
  } catch (e) {
    button.disabled = false;
    stamp($('stamp'), e);
  }
}

const openGuidelines = new Set();

/** Each brand's current guidelines: open, with an Accept button, while the expert must still accept them. */
function guidelinesCard(g) {
  const body = [el('div', { class: 'guidelines-body' }, g.body), g.note ? el('div', { class: 'reasons' }, `What changed: ${g.note}`) : null];
  const head = `${g.title} · ${g.brand} guidelines v${g.version}`;
  if (!g.mustAccept) {
    // Kept open across the refreshes that rebuild the page while someone reads them.
    const toggle = (ev) => (ev.currentTarget.open ? openGuidelines.add(g.brand) : openGuidelines.delete(g.brand));
    return el('details', { class: 'card guidelines', 'data-brand': g.brand, open: openGuidelines.has(g.brand), ontoggle: toggle }, el('summary', {}, `${head} · accepted`), ...body);
  }
  return el('div', { class: 'card guidelines must', 'data-brand': g.brand },
    el('div', { class: 'status' }, g.acceptedVersion ? `New version: you accepted v${g.acceptedVersion}` : 'Not accepted yet'),
    el('h2', {}, head),
    ...body,
    el('div', { class: 'reasons' }, `You are not offered ${g.brand} mentions until you accept this version.`),
    el('div', { class: 'actions' }, el('button', { class: 'primary', onclick: (ev) => acceptGuidelines(ev.currentTarget, g) }, `I have read v${g.version}: accept`)),
  );
}

/** What the author said before: the thread an expert should know before answering (loaded after the card shows). */
function contextFor(m) {
  const box = el('div', { class: 'reasons context' });
  api(`/v1/mentions?author=${encodeURIComponent(m.author.handle)}&limit=4`)
    .then(({ items }) => {
      const earlier = items.filter((x) => x.id !== m.id).slice(0, 3);
      if (earlier.length === 0) return box.append(`First mention from @${m.author.handle}.`);
      box.append(
        `Earlier from @${m.author.handle}:`,
        ...earlier.map((x) => el('div', { class: 'earlier' }, el('span', { class: `dot ${x.classification.sentiment.label}`, style: 'display:inline-block;margin-right:6px' }), `${ago(x.createdAt)} · ${x.routing.decision} · `, x.text)),
      );
    })
    .catch(() => undefined);
  return box;
}

async function refresh() {
  try {
    const inbox = await api(`/v1/experts/${encodeURIComponent(expertId)}/inbox?state=${state}`);
    $('title').textContent = `${expertId} · ${state === 'all' ? 'history' : 'inbox'}`;
    $('load').textContent = `${inbox.open} of ${inbox.capacity} open`;
    $('guidelines').replaceChildren(...(inbox.guidelines ?? []).map(guidelinesCard));
    $('items').replaceChildren(
      ...(inbox.items.length === 0
        ? [el('div', { class: 'empty' }, state === 'all' ? 'No history yet' : 'Nothing waiting for you')]
        : inbox.items.map(({ assignment: a, mention: m, guidance: g }) =>
            el('div', { class: 'card', 'data-assignment': a.id },
              el('div', { class: 'status' }, `${a.state} · ${a.priority} · offered ${ago(a.offeredAt)}`),
              m
                ? [
                    el('div', { class: 'who' }, `@${m.author.handle} · ${m.source} · ${ago(m.createdAt)} · ${m.classification.lang}`),
                    el('p', {}, m.text),
                    el('div', {}, m.classification.topics.map((t) => el('span', { class: 'chip' }, t.id.replace(/_/g, ' '))), el('span', { class: `chip ${m.classification.sentiment.label.slice(0, 3)}` }, m.classification.sentiment.label)),
                    el('div', { class: 'reasons' }, 'Why you: ', m.routing.reasons.slice(0, 3).map((r) => r.message).join(' · ')),
                    g ? el('div', { class: 'guidance' }, el('strong', {}, `Guidelines · ${g.topic.replace(/_/g, ' ')}: `), g.text) : null,
                    a.state === 'offered' || a.state === 'accepted' ? contextFor(m) : null,
                    m.url ? el('a', { href: m.url, target: '_blank', rel: 'noopener', class: 'muted' }, 'open the post') : null,
                  ]
                : el('p', { class: 'muted' }, 'The mention is not indexed yet.'),
              a.reason ? el('div', { class: 'reasons' }, `reason: ${a.reason}`) : null,
              a.replyUrl ? el('div', { class: 'reasons' }, 'reply: ', el('a', { href: a.replyUrl, target: '_blank', rel: 'noopener' }, a.replyUrl)) : null,
              actions(a),
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
