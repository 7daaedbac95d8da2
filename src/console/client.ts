/**
 * The console pages' one inline script (plain browser JavaScript, as text: no build step). The token
 * comes in the URL's fragment once (`/#token=...`, never sent to the server), is kept in the tab's
 * sessionStorage, and goes with every state-changing request in the `x-hyperagents-token` header;
 * there are no cookies. Server answers are shown with textContent only.
 */
export const TOKEN_HEADER = 'x-hyperagents-token';

export const CLIENT_SCRIPT = `
(function () {
  var KEY = 'hyperagents-console-token';
  var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  function token() {
    var t = sessionStorage.getItem(KEY);
    if (!t) {
      t = window.prompt('Console token (printed when hyperagents console started)') || '';
      if (t) sessionStorage.setItem(KEY, t);
    }
    return t;
  }
  async function post(url, body, out) {
    out.className = 'msg';
    out.textContent = 'sending…';
    try {
      var r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', '${TOKEN_HEADER}': token() },
        body: JSON.stringify(body),
      });
      var answer = await r.json().catch(function () { return {}; });
      out.textContent = answer.message || answer.error || ('HTTP ' + r.status);
      out.className = 'msg ' + (r.ok ? 'ok' : 'err');
      if (r.status === 403 && answer.reason === 'token') sessionStorage.removeItem(KEY);
      return r.ok;
    } catch (e) {
      out.textContent = String(e);
      out.className = 'msg err';
      return false;
    }
  }
  var reviewerKey = 'hyperagents-reviewer';
  document.querySelectorAll('form.decide').forEach(function (form) {
    var reviewer = form.querySelector('input[name=reviewer]');
    if (reviewer && !reviewer.value) reviewer.value = localStorage.getItem(reviewerKey) || '';
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    form.querySelectorAll('button[data-action]').forEach(function (button) {
      button.addEventListener('click', async function () {
        var out = form.querySelector('output');
        var who = reviewer.value.trim();
        if (!who) { out.className = 'msg err'; out.textContent = 'give your name as reviewer'; return; }
        localStorage.setItem(reviewerKey, who);
        var url = '/api/runs/' + encodeURIComponent(form.dataset.run) + '/nodes/' +
          encodeURIComponent(form.dataset.node) + '/' + button.dataset.action;
        var ok = await post(url, { note: form.querySelector('input[name=note]').value, reviewer: who }, out);
        if (ok) setTimeout(function () { location.reload(); }, 1500);
      });
    });
  });
  var promote = document.getElementById('promote');
  if (promote) promote.addEventListener('click', async function () {
    var who = localStorage.getItem(reviewerKey) || window.prompt('Your name') || '';
    var url = '/api/runs/' + encodeURIComponent(promote.dataset.run) + '/nodes/' +
      encodeURIComponent(promote.dataset.node) + '/promote';
    await post(url, { reviewer: who }, promote.parentElement.querySelector('output'));
  });
  var live = document.getElementById('live');
  if (live && document.body.dataset.live === 'yes') {
    setInterval(async function () {
      try {
        var r = await fetch(location.pathname.replace(/\\/$/, '') + '/live');
        // Server-rendered and escaped there, like the page itself.
        if (r.ok) document.getElementById('live').outerHTML = await r.text();
      } catch (e) { /* the next tick tries again */ }
    }, 3000);
  }
  if (window.Diff2HtmlUI) {
    document.querySelectorAll('.diff').forEach(function (el) {
      var ui = new window.Diff2HtmlUI(el, undefined, { drawFileList: false, highlight: true });
      ui.highlightCode();
    });
  }
})();
`;
