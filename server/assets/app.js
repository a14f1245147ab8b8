/*
 * sok: enhancements of the search page.  Everything works without this
 * file; with it,
 *  - the search box is an ARIA 1.2 combobox with suggestions from
 *    /api/suggest (debounced; arrows, Enter, Escape, Home/End by keyboard);
 *  - searching, filtering, sorting and paging fetch the server-rendered page
 *    and swap in its #results, keeping the URL shareable (pushState and
 *    popstate).
 * Only text and server-rendered HTML from our own origin enter the page:
 * suggestions are set with textContent, never as HTML.
 */
(function () {
  'use strict';

  var form = document.getElementById('search');
  var input = document.getElementById('q');
  if (!form || !input || !window.fetch) return;

  /* The page's own path ("/", or "/sok/" behind a proxy's base path):
   * the form's action, which the server writes. */
  var HOME = new URL(form.getAttribute('action') || '/', window.location.href).pathname;
  var results = document.getElementById('results');
  var DEBOUNCE_MS = 180;

  /* ---------------------------------------------------------- live region */
  var live = document.createElement('div');
  live.className = 'sr-only';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  document.body.appendChild(live);
  function announce(text) {
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  /* ------------------------------------------------------------ combobox */
  var combo = document.createElement('div');
  combo.className = 'combo';
  input.parentNode.insertBefore(combo, input);
  combo.appendChild(input);

  var list = document.createElement('ul');
  list.id = 'q-list';
  list.className = 'suggest';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Sökförslag');
  list.hidden = true;
  combo.appendChild(list);

  var hint = document.createElement('span');
  hint.id = 'q-hint';
  hint.className = 'sr-only';
  hint.textContent = 'Förslag visas medan du skriver. Välj med pil upp och ' +
                     'pil ned, Enter väljer och Escape stänger.';
  form.appendChild(hint);

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', 'q-list');
  input.setAttribute('aria-describedby', 'q-hint');

  var items = [];
  var active = -1;
  var timer = 0;
  var seq = 0;
  var lastFetched = null;

  function isOpen() { return !list.hidden; }

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function setActive(i) {
    if (active >= 0 && items[active]) items[active].setAttribute('aria-selected', 'false');
    active = i;
    if (i < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    var el = items[i];
    el.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', el.id);
    if (el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
  }

  function render(words) {
    list.textContent = '';
    items = [];
    active = -1;
    input.removeAttribute('aria-activedescendant');
    words.slice(0, 8).forEach(function (w, i) {
      var li = document.createElement('li');
      li.id = 'q-opt-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.textContent = w;
      /* mousedown, not click: the input must not lose focus first. */
      li.addEventListener('mousedown', function (e) {
        e.preventDefault();
        choose(i);
      });
      list.appendChild(li);
      items.push(li);
    });
    if (items.length && document.activeElement === input) {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      announce(items.length === 1 ? '1 förslag' : items.length + ' förslag');
    } else {
      close();
    }
  }

  function suggest() {
    var v = input.value;
    if (v.trim().length < 2) { lastFetched = null; render([]); return; }
    if (v === lastFetched) return;
    lastFetched = v;
    var mine = ++seq;
    fetch(HOME + 'api/suggest?q=' + encodeURIComponent(v), { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (j) {
        if (mine !== seq || input.value !== v) return;
        var s = (j && Array.isArray(j.suggestions)) ? j.suggestions : [];
        render(s.filter(function (x) { return typeof x === 'string' && x !== v; }));
      })
      .catch(function () { if (mine === seq) render([]); });
  }

  function choose(i) {
    var w = items[i] && items[i].textContent;
    if (!w) return;
    input.value = w;
    lastFetched = w;
    close();
    search(formUrl(), true);
  }

  input.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, DEBOUNCE_MS);
  });

  input.addEventListener('keydown', function (e) {
    var n = items.length;
    switch (e.key) {
      case 'ArrowDown':
        if (!n) return;
        e.preventDefault();
        if (!isOpen()) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
        setActive(active + 1 < n ? active + 1 : 0);
        break;
      case 'ArrowUp':
        if (!n) return;
        e.preventDefault();
        if (!isOpen()) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
        setActive(active > 0 ? active - 1 : n - 1);
        break;
      case 'Enter':
        if (isOpen() && active >= 0) {
          e.preventDefault();
          choose(active);
        } else {
          close();      /* the form submits */
        }
        break;
      case 'Escape':
        if (isOpen()) {
          e.preventDefault();
          close();
        } else if (input.value) {
          e.preventDefault();
          input.value = '';
          render([]);
        }
        break;
      case 'Tab':
        close();
        break;
      default:
        break;
    }
  });

  input.addEventListener('blur', function () { window.setTimeout(close, 100); });

  /* ---------------------------------------------- results without reload */
  function formUrl() {
    var q = input.value.trim();
    return q ? HOME + '?q=' + encodeURIComponent(q) : HOME;
  }

  var loading = 0;
  function search(url, push, focusResults) {
    if (!results) { window.location.assign(url); return; }
    var mine = ++loading;
    results.setAttribute('aria-busy', 'true');
    fetch(url, { headers: { Accept: 'text/html' } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (mine !== loading) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('results');
        if (!fresh) { window.location.assign(url); return; }
        results.innerHTML = fresh.innerHTML;
        results.removeAttribute('aria-busy');
        document.title = doc.title;
        var q = new URL(url, window.location.href).searchParams.get('q');
        if (q !== null) input.value = q;
        if (push) window.history.pushState({ sok: 1 }, '', url);
        foldFilters();
        var status = document.getElementById('status');
        if (status) {
          announce(status.textContent);
          if (focusResults) status.focus();
        }
      })
      .catch(function () { window.location.assign(url); });
  }

  form.addEventListener('submit', function (e) {
    if (!input.value.trim()) return;     /* the server shows the empty form */
    e.preventDefault();
    close();
    search(formUrl(), true);
  });

  /* Filters, sort order, pages and "Menade du …?" are links to "/?…". */
  if (results) {
    results.addEventListener('click', function (e) {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey ||
          e.shiftKey || e.altKey) return;
      var a = e.target.closest ? e.target.closest('a[href]') : null;
      if (!a || !results.contains(a)) return;
      var u = new URL(a.getAttribute('href'), window.location.href);
      if (u.origin !== window.location.origin || u.pathname !== HOME) return;
      e.preventDefault();
      search(u.pathname + u.search, true, true);
    });
  }

  /* On a narrow screen the filters fold away (the hits come first) unless
   * one is chosen; without JavaScript they stay open. */
  function foldFilters() {
    var d = document.getElementById('f-d');
    if (!d || !window.matchMedia || !window.matchMedia('(max-width: 47.99rem)').matches) return;
    var u = new URL(window.location.href).searchParams;
    if (!u.has('type') && !u.has('from') && !u.has('to') && !u.has('sort')) d.open = false;
  }
  foldFilters();

  window.addEventListener('popstate', function () {
    var u = new URL(window.location.href);
    if (u.pathname !== HOME) return;
    if (!u.searchParams.get('q')) { window.location.reload(); return; }
    search(u.pathname + u.search, false, true);
  });
})();
