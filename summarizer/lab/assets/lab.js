/* The prompt lab's page: plain JavaScript, no build step, no network beyond this service.
 *
 * Live, it talks to /lab/api (with the API key the service asks for, sent as X-API-Key) and follows the
 * lab's events over a streamed fetch. Exported, it finds its data in <script id="lab-export"> and shows
 * the same matrix, bootstrap tables and articles without a server. The view lives in the URL's fragment
 * (#gold=…&v=…&base=…&only=…&article=…), so a link or an exported file reopens the same view.
 */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const EXPORTED = $("lab-export");
  const STATIC = EXPORTED ? JSON.parse(EXPORTED.textContent) : null;
  const FIELDS = ["parties", "locations", "outcomes", "quotes", "contested_claims"];
  const LABEL = { parties: "parties", locations: "places", outcomes: "outcomes", quotes: "quotes", contested_claims: "claims" };
  const KIND = { parties: "n", locations: "n", quotes: "q", outcomes: "s", contested_claims: "s" };
  const SAY = { correct: "correct", optional: "optional", fp: "wrong", missed: "missed", dropped: "dropped", unscored: "unscored" };
  const FINAL = new Set(["done", "error", "cancelled"]);
  const OVERSCAN = 12;

  const state = { gold: "", variants: [], base: "", fields: FIELDS.slice(), only: "", sort: "", article: "", left: "", right: "" };
  let setup = null;
  let board = null;
  let boardToken = 0;
  let compares = {};
  let rows = [];
  let active = 0;
  let rowHeight = 31;
  let articleData = null;
  let seq = 0;
  let streamAbort = null;
  let key = sessionStorage.getItem("lab-key") || "";
  const keyWaiters = [];
  const timing = { start: 0, first: 0, all: 0 };
  let runStarting = false;
  let runSeq = 0; // the event number a started run had reached: until it is heard, the run is not over

  // --- small helpers ---------------------------------------------------------------------------
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const fmt = (x) => (x === null || x === undefined ? "—" : x.toFixed(2));
  const signed = (x) => (Math.abs(x) < 0.005 ? "±0" : (x > 0 ? "+" : "−") + Math.abs(x).toFixed(2));
  const tok = (n) => (n >= 10000 ? Math.round(n / 1000) + "k" : n >= 1000 ? (n / 1000).toFixed(1) + "k" : String(n));
  const secs = (s) => (s >= 100 ? Math.round(s) + " s" : s.toFixed(1) + " s");
  const norm = (s) => String(s).toLowerCase().split(/\s+/).join(" ");
  const isNum = (x) => typeof x === "number";
  function debounce(fn, ms) {
    let t = 0;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }
  function toast(message, bad) {
    const el = $("toast");
    el.textContent = message;
    el.className = "toast" + (bad ? " bad" : "");
    el.hidden = false;
    clearTimeout(toast.t);
    toast.t = setTimeout(() => (el.hidden = true), bad ? 8000 : 3000);
  }
  function failed(error) { toast(error.message || String(error), true); }

  // --- the URL fragment holds the view ----------------------------------------------------------
  function readHash() {
    const raw = location.hash.slice(1) || (STATIC && STATIC.state) || "";
    const p = {};
    raw.split("&").filter(Boolean).forEach((pair) => {
      const at = pair.indexOf("=");
      if (at > 0) p[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1));
    });
    state.gold = p.gold || "";
    state.variants = (p.v || "").split(",").filter(Boolean);
    state.base = p.base || "";
    state.fields = p.f ? p.f.split(",").filter((f) => FIELDS.includes(f)) : FIELDS.slice();
    state.only = p.only || "";
    state.sort = p.sort || "";
    state.article = p.article || "";
    state.left = p.left || "";
    state.right = p.right || "";
  }
  function writeHash() {
    const enc = (v) => String(v).replace(/[%&#= ]/g, encodeURIComponent);
    const parts = [];
    const put = (k, v) => { if (v) parts.push(k + "=" + enc(v)); };
    put("gold", state.gold);
    put("v", state.variants.join(","));
    put("base", state.base);
    if (state.fields.length !== FIELDS.length) parts.push("f=" + state.fields.join(","));
    put("only", state.only);
    put("sort", state.sort);
    put("article", state.article);
    put("left", state.left);
    put("right", state.right);
    const hash = "#" + parts.join("&");
    if (location.hash === hash) return;
    try { history.replaceState(null, "", hash); } catch (e) { location.replace(hash); }
  }

  // --- the server ------------------------------------------------------------------------------
  function askKey() {
    $("key-form").hidden = false;
    $("key-input").focus();
    return new Promise((resolve) => keyWaiters.push(resolve));
  }
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    key = $("key-input").value.trim();
    sessionStorage.setItem("lab-key", key);
    $("key-form").hidden = true;
    keyWaiters.splice(0).forEach((resolve) => resolve());
  });
  async function api(path, options) {
    const opts = options || {};
    for (;;) {
      const headers = { Accept: "application/json" };
      if (key) headers["X-API-Key"] = key;
      if (opts.body !== undefined) headers["Content-Type"] = "application/json";
      const res = await fetch("/lab/api/" + path, {
        method: opts.method || (opts.body !== undefined ? "POST" : "GET"),
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      if (res.status === 401) { await askKey(); continue; }
      if (!res.ok) {
        let detail = res.status + " " + res.statusText;
        try { const problem = await res.json(); detail = problem.detail || problem.title || detail; } catch (e) { /* not JSON */ }
        throw new Error(detail);
      }
      return opts.raw ? res : res.json();
    }
  }
  const qs = (params) => Object.entries(params).map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&");
  const boardQuery = () => ({ gold: state.gold, variants: state.variants.join(",") });
  const boardBody = () => ({ gold: state.gold, variants: state.variants.slice() });

  async function follow(signal) {
    while (!signal.aborted) {
      try {
        const headers = { Accept: "text/event-stream" };
        if (key) headers["X-API-Key"] = key;
        const res = await fetch("/lab/api/events?after=" + seq, { headers, signal });
        if (res.status === 401) { await askKey(); continue; }
        if (!res.ok) throw new Error("events: " + res.status);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n/g, "\n");
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            handleBlock(block);
          }
        }
        continue; // the server ends a stream now and then; carry on from the last event heard
      } catch (e) {
        if (signal.aborted) return;
      }
      await sleep(800);
    }
  }
  function restartStream() {
    if (STATIC) return;
    if (streamAbort) streamAbort.abort();
    streamAbort = new AbortController();
    follow(streamAbort.signal);
  }
  function handleBlock(block) {
    let type = "message", data = "", id = null;
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const at = line.indexOf(":");
      const field = at < 0 ? line : line.slice(0, at);
      let value = at < 0 ? "" : line.slice(at + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") type = value;
      else if (field === "data") data += (data ? "\n" : "") + value;
      else if (field === "id") id = Number(value);
    }
    if (type === "reset") { seq = id || 0; loadBoard(); return; } // forgotten events, or a restarted server
    if (id !== null) {
      if (id <= seq) return;
      seq = id;
    }
    if (data) onEvent(type, JSON.parse(data));
  }
  function onEvent(type, data) {
    if (!board) return;
    if (type === "cell") {
      const cells = board.cells[data.column];
      if (!cells) return;
      cells[data.slug] = data.cell;
      if (timing.start && !timing.first && (data.cell.state === "done" || data.cell.state === "error")) {
        timing.first = performance.now();
      }
      if (state.article === data.slug && FINAL.has(data.cell.state)) reloadArticle();
      scheduleRender();
    } else if (type === "column") {
      board.variants.filter((v) => v.column === data.column).forEach((v) => (v.totals = data.totals));
      if (!data.totals.running) refreshCompare();
      scheduleRender();
    }
  }

  // --- reading the board -----------------------------------------------------------------------
  const baseVariant = () => board.variants.find((v) => v.key === state.base) || board.variants[0];
  const cellOf = (v, slug) => (board.cells[v.column] || {})[slug] || { state: "pending", f1: {} };
  function isRegression(v, base, slug) {
    const a = cellOf(base, slug), b = cellOf(v, slug);
    if (a.state === "done" && b.state === "error") return true;
    if (a.state !== "done" || b.state !== "done") return false;
    return state.fields.some((f) => isNum(a.f1[f]) && isNum(b.f1[f]) && b.f1[f] < a.f1[f] - 1e-9);
  }
  function differs(v, base, slug) {
    const a = cellOf(base, slug), b = cellOf(v, slug);
    if (!(a.state === "done" || a.state === "error") || !(b.state === "done" || b.state === "error")) return false;
    return a.state !== b.state || a.digest !== b.digest;
  }
  function sortValue(slug, sort) {
    const [key, field, what] = sort.split("~");
    const v = board.variants.find((x) => x.key === key);
    if (!v) return null;
    const c = cellOf(v, slug);
    if (field === "cost") return c.state === "done" ? c.seconds : null;
    if (c.state !== "done" || !isNum(c.f1[field])) return null;
    if (what === "d") {
      const b = cellOf(baseVariant(), slug);
      return b.state === "done" && isNum(b.f1[field]) ? c.f1[field] - b.f1[field] : null;
    }
    return c.f1[field];
  }
  function computeRows() {
    const base = baseVariant();
    const others = board.variants.filter((v) => v !== base);
    let list = board.articles.map((a) => a.slug);
    if (state.only === "regressions") list = list.filter((s) => others.some((v) => isRegression(v, base, s)));
    if (state.only === "differences") list = list.filter((s) => others.some((v) => differs(v, base, s)));
    if (state.sort && state.sort !== "article" && state.sort !== "-article") {
      const desc = state.sort.startsWith("-");
      const sort = desc ? state.sort.slice(1) : state.sort;
      const value = new Map(list.map((s) => [s, sortValue(s, sort)]));
      list.sort((x, y) => {
        const a = value.get(x), b = value.get(y);
        if (a === null && b === null) return x < y ? -1 : 1;
        if (a === null) return 1;
        if (b === null) return -1;
        return (desc ? b - a : a - b) || (x < y ? -1 : 1);
      });
    } else if (state.sort === "-article") list.reverse();
    rows = list;
    active = Math.min(active, Math.max(0, rows.length - 1));
  }

  // --- the matrix ------------------------------------------------------------------------------
  function sortButton(sortKey, text, label) {
    const current = state.sort.replace(/^-/, "");
    const dir = current === sortKey ? (state.sort.startsWith("-") ? "descending" : "ascending") : "none";
    return `<button type="button" class="sort" data-sort="${esc(sortKey)}" aria-sort="${dir}" aria-label="${esc(label)}">${esc(text)}</button>`;
  }
  function variantName(v) {
    return v.draft ? `draft ${v.ref} · ${v.hash.slice(0, 8)}` : v.ref;
  }
  function renderHead() {
    const base = baseVariant();
    const fields = state.fields;
    const span = fields.length + 1;
    let r1 = `<tr><th class="article">${sortButton("article", "article", "sort by article")}</th>`;
    let r2 = `<tr class="totals"><th class="article">all articles (micro)</th>`;
    let r3 = `<tr><th class="article"><span class="note">${board.articles.length} articles · ${esc(board.gold)}</span></th>`;
    for (const v of board.variants) {
      const t = v.totals;
      const isBase = v === base;
      r1 += `<th colspan="${span}" class="group-start" data-variant="${esc(v.key)}" title="${esc(v.run_dir)}">` +
        `<code>${esc(variantName(v))}</code>${isBase ? ' <span class="note">baseline</span>' : ""} ` +
        `<span class="note">${t.answered}/${t.cases}${t.failed ? ` · <span class="state-error">${t.failed} failed</span>` : ""}` +
        `${t.running ? " · running" : ""}${v.to_ask && !t.complete ? ` · ${v.to_ask} to ask` : ""}</span> ` +
        `<button type="button" class="rerun live-only" data-rerun-variant="${esc(v.key)}" tabindex="-1">re-run variant</button></th>`;
      fields.forEach((f, i) => {
        const value = t.f1[f];
        let d = "";
        if (!isBase && isNum(value) && isNum(base.totals.f1[f])) {
          const delta = value - base.totals.f1[f];
          d = `<span class="d ${delta < -1e-9 ? "worse" : delta > 1e-9 ? "better" : ""}">${signed(delta)}</span>`;
        }
        r2 += `<th class="cell${i === 0 ? " group-start" : ""}" data-variant="${esc(v.key)}" data-field="${f}"><span class="f1">${fmt(value)}</span>${d}</th>`;
        r3 += `<th class="${i === 0 ? "group-start" : ""}">${sortButton(`${v.key}~${f}~f1`, LABEL[f], `sort by ${LABEL[f]} F1 of ${v.ref}`)}` +
          (isBase ? "" : sortButton(`${v.key}~${f}~d`, "Δ", `sort by ${LABEL[f]} change of ${v.ref}`)) + `</th>`;
      });
      r2 += `<th class="cost" data-variant="${esc(v.key)}" title="tokens · upstream calls · seconds the answers took">${tok(t.tokens)} · ${t.calls} · ${secs(t.seconds)}</th>`;
      r3 += `<th>${sortButton(`${v.key}~cost~s`, "tok · calls · s", `sort by seconds of ${v.ref}`)}</th>`;
    }
    $("matrix-head").innerHTML = r1 + "</tr>" + r2 + "</tr>" + r3 + "</tr>";
  }
  function cellHtml(v, base, slug) {
    const c = cellOf(v, slug);
    const fields = state.fields;
    const attrs = (f, i) => `data-variant="${esc(v.key)}" data-field="${f}" class="cell${i === 0 ? " group-start" : ""}`;
    if (c.state !== "done") {
      let first;
      if (c.state === "error") {
        first = `<span class="state-error" title="${esc(c.error || "")}">failed</span> ` +
          `<button type="button" class="retry live-only" data-retry="${esc(slug)}" data-variant="${esc(v.key)}" tabindex="-1" title="${esc(c.error || "")}">retry</button>`;
      } else {
        first = `<span class="state-${c.state}">${c.state === "running" ? "running…" : c.state}</span>`;
      }
      let html = `<td ${attrs(fields[0] || "", 0)} state-${c.state}" colspan="${fields.length || 1}">${first}</td>`;
      return html + `<td class="cost">${c.state === "error" ? `${c.calls} calls · ${secs(c.seconds)}` : ""}</td>`;
    }
    const b = cellOf(base, slug);
    let html = "";
    fields.forEach((f, i) => {
      if (!(f in c.f1)) {
        html += `<td ${attrs(f, i)}" title="not labelled in this gold file"><span class="f1 note">·</span></td>`;
        return;
      }
      if (!isNum(c.f1[f])) {
        html += `<td ${attrs(f, i)}" title="nothing to find and nothing predicted: no score"><span class="f1 note">n/a</span></td>`;
        return;
      }
      let d = "", reg = false;
      if (v !== base && b.state === "done" && isNum(b.f1[f])) {
        const delta = c.f1[f] - b.f1[f];
        reg = delta < -1e-9;
        d = `<span class="d ${reg ? "worse" : delta > 1e-9 ? "better" : ""}">${signed(delta)}</span>`;
      }
      const [tp, fp, fn] = c.counts[f];
      html += `<td ${attrs(f, i)}${reg ? " reg" : ""}" title="${LABEL[f]}: ${tp} correct, ${fp} wrong, ${fn} missed"><span class="f1">${fmt(c.f1[f])}</span>${d}</td>`;
    });
    const how = c.cached ? "cached answer: the cost it had when it was made" : "answered in this run";
    return html + `<td class="cost" title="${how}">${tok(c.tokens)} · ${c.calls} · ${secs(c.seconds)}${c.cached ? " ⟲" : ""}</td>`;
  }
  function rowHtml(slug, index) {
    const base = baseVariant();
    const isActive = index === active;
    let html = `<tr data-slug="${esc(slug)}" data-index="${index}" tabindex="${isActive ? 0 : -1}" class="${isActive ? "active" : ""}">` +
      `<td class="article" title="${esc(slug)}">${esc(slug)} ` +
      `<button type="button" class="rerun live-only" data-rerun="${esc(slug)}" tabindex="-1" title="re-run this article in every variant">re-run</button></td>`;
    for (const v of board.variants) html += cellHtml(v, base, slug);
    return html + "</tr>";
  }
  function renderBody() {
    if (!board) return;
    const wrap = $("matrix-wrap");
    const body = $("matrix-body");
    const hadFocus = body.contains(document.activeElement);
    const headHeight = $("matrix-head").offsetHeight;
    const top = Math.max(0, wrap.scrollTop - headHeight);
    const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
    const last = Math.min(rows.length, first + Math.ceil(wrap.clientHeight / rowHeight) + 2 * OVERSCAN);
    const width = 1 + board.variants.length * (state.fields.length + 1);
    const spacer = (h) => (h > 0 ? `<tr aria-hidden="true"><td class="spacer" colspan="${width}" style="height:${h}px"></td></tr>` : "");
    let html = spacer(first * rowHeight);
    for (let i = first; i < last; i++) html += rowHtml(rows[i], i);
    body.innerHTML = html + spacer((rows.length - last) * rowHeight);
    const sample = body.querySelector("tr[data-slug]");
    if (sample && sample.offsetHeight && Math.abs(sample.offsetHeight - rowHeight) > 0.5) {
      rowHeight = sample.offsetHeight;
      renderBody();
      return;
    }
    if (hadFocus) focusRow(false);
    const shown = rows.length === board.articles.length ? `${rows.length} articles` : `${rows.length} of ${board.articles.length} articles`;
    $("matrix-count").textContent = shown + (state.only ? ` (only ${state.only})` : "");
  }
  function renderStatus() {
    if (!board || STATIC) return;
    const counts = { queued: 0, running: 0, done: 0, error: 0, cancelled: 0, pending: 0 };
    let total = 0;
    for (const v of board.variants) {
      for (const a of board.articles) { counts[cellOf(v, a.slug).state] += 1; total += 1; }
    }
    const busy = seq < runSeq || runStarting || counts.queued + counts.running > 0 || board.variants.some((v) => v.totals.running);
    if (timing.start && !busy && !timing.all) timing.all = performance.now();
    let text = `${counts.done}/${total} answered · ${counts.running} running · ${counts.queued} queued · ${counts.error} failed`;
    if (counts.cancelled) text += ` · ${counts.cancelled} cancelled`;
    if (timing.start && timing.first) text += ` · first cell ${((timing.first - timing.start) / 1000).toFixed(2)} s`;
    if (timing.start && timing.all) text += ` · matrix ${((timing.all - timing.start) / 1000).toFixed(2)} s`;
    $("run-status").textContent = text;
    $("run-status").dataset.busy = busy ? "yes" : "no";
    $("cancel").disabled = !busy;
  }
  function renderAll() {
    if (!board) {
      $("matrix-head").innerHTML = "";
      $("matrix-body").innerHTML = "";
      $("matrix-count").textContent = "Pick a gold set and variants.";
      return;
    }
    computeRows();
    renderHead();
    renderBody();
    renderStatus();
  }
  let renderPending = false;
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(() => { renderPending = false; renderAll(); });
  }
  function focusRow(scroll) {
    const wrap = $("matrix-wrap");
    if (scroll) {
      const headHeight = $("matrix-head").offsetHeight;
      const y = headHeight + active * rowHeight;
      if (y - headHeight < wrap.scrollTop) wrap.scrollTop = y - headHeight;
      else if (y + rowHeight > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = y + rowHeight - wrap.clientHeight;
      renderBody();
    }
    const tr = $("matrix-body").querySelector(`tr[data-index="${active}"]`);
    if (tr) tr.focus({ preventScroll: !scroll });
  }
  function setActive(index) {
    if (!rows.length) return;
    active = Math.max(0, Math.min(rows.length - 1, index));
    $("matrix-body").querySelectorAll("tr.active").forEach((tr) => { tr.classList.remove("active"); tr.tabIndex = -1; });
    const tr = $("matrix-body").querySelector(`tr[data-index="${active}"]`);
    if (tr) { tr.classList.add("active"); tr.tabIndex = 0; }
    focusRow(true);
  }
  $("matrix-wrap").addEventListener("scroll", () => requestAnimationFrame(renderBody));
  $("matrix-body").addEventListener("keydown", (e) => {
    const page = Math.max(1, Math.floor($("matrix-wrap").clientHeight / rowHeight) - 3);
    const moves = { ArrowDown: active + 1, ArrowUp: active - 1, Home: 0, End: rows.length - 1, PageDown: active + page, PageUp: active - page };
    if (e.key in moves) { e.preventDefault(); setActive(moves[e.key]); }
    else if (e.key === "Enter" || e.key === "o") { e.preventDefault(); if (rows[active]) openArticle(rows[active]); }
    else if (e.key === "r" && !STATIC && rows[active]) { e.preventDefault(); rerun([rows[active]]); }
  });
  $("matrix-body").addEventListener("click", (e) => {
    const retry = e.target.closest("button[data-retry]");
    if (retry) { e.stopPropagation(); rerun([retry.dataset.retry], [retry.dataset.variant]); return; }
    const again = e.target.closest("button[data-rerun]");
    if (again) { e.stopPropagation(); rerun([again.dataset.rerun]); return; }
    const tr = e.target.closest("tr[data-slug]");
    if (tr) { active = Number(tr.dataset.index); openArticle(tr.dataset.slug); }
  });
  $("matrix-head").addEventListener("click", (e) => {
    const again = e.target.closest("button[data-rerun-variant]");
    if (again) { rerun(null, [again.dataset.rerunVariant]); return; }
    const button = e.target.closest("button[data-sort]");
    if (!button) return;
    const sortKey = button.dataset.sort;
    const current = state.sort.replace(/^-/, "");
    if (current !== sortKey) state.sort = sortKey === "article" ? "" : "-" + sortKey;
    else state.sort = state.sort.startsWith("-") ? sortKey : "-" + sortKey;
    if (state.sort === "article") state.sort = "";
    writeHash();
    renderAll();
    const again2 = $("matrix-head").querySelector(`button[data-sort="${CSS.escape(sortKey)}"]`);
    if (again2) again2.focus();
  });

  // --- the bootstrap table (eval compare) -------------------------------------------------------
  const refreshCompare = debounce(loadCompare, 250);
  async function loadCompare() {
    if (!board) return;
    const base = baseVariant();
    const token = boardToken;
    const tables = {};
    for (const v of board.variants) {
      if (v === base || !v.totals.answered || !base.totals.answered) continue;
      try {
        tables[v.key] = STATIC ? (STATIC.compare[v.key] && STATIC.compare[v.key].a === base.key ? STATIC.compare[v.key] : null)
          : await api("compare?" + qs({ gold: state.gold, a: base.key, b: v.key }));
      } catch (e) { tables[v.key] = { error: e.message }; }
    }
    if (token !== boardToken) return;
    compares = tables;
    renderCompare();
  }
  function renderCompare() {
    const base = baseVariant();
    let html = "";
    for (const v of board.variants) {
      const c = compares[v.key];
      if (v === base || !c) continue;
      if (c.error) { html += `<p class="state-error">${esc(c.error)}</p>`; continue; }
      const over = c.compared ? ` over ${c.compared.length} shared answered articles` : " over shared articles";
      html += `<table data-compare="${esc(v.key)}"><caption>${esc(base.ref)} → ${esc(variantName(v))}: paired bootstrap${over}, 95% CI` +
        `${c.complete ? "" : " <span class=\"state-error\">(not every article answered yet)</span>"}</caption>` +
        "<tr><th>metric</th><th>A</th><th>B</th><th>Δ</th><th>95% CI</th><th></th></tr>";
      for (const d of c.deltas) {
        const ci = d.low === null ? "—" : `[${d.low >= 0 ? "+" : ""}${d.low.toFixed(3)}, ${d.high >= 0 ? "+" : ""}${d.high.toFixed(3)}]`;
        const delta = d.delta === null ? "—" : (d.delta >= 0 ? "+" : "") + d.delta.toFixed(3);
        html += `<tr data-metric="${esc(d.metric)}"><td>${esc(d.metric)}</td><td>${d.a === null ? "—" : d.a.toFixed(3)}</td>` +
          `<td>${d.b === null ? "—" : d.b.toFixed(3)}</td><td>${delta}</td><td>${ci}</td>` +
          `<td>${d.regressed ? '<span class="regressed">REGRESSED</span>' : ""}</td></tr>`;
      }
      const notes = [["only in A", c.only_a], ["only in B", c.only_b], ["failed in A", c.failed_a], ["failed in B", c.failed_b],
        ["incomplete in A", c.incomplete_a || []], ["incomplete in B", c.incomplete_b || []]]
        .filter(([, list]) => list.length).map(([what, list]) => `${what}: ${list.join(", ")}`);
      if (notes.length) html += `<tr><td colspan="6" class="note">${esc(notes.join(" · "))}</td></tr>`;
      html += "</table>";
    }
    $("compare").innerHTML = html;
  }

  // --- running ---------------------------------------------------------------------------------
  async function run(body) {
    timing.start = performance.now();
    timing.first = 0;
    timing.all = 0;
    runStarting = true;
    $("run-status").dataset.busy = "yes";
    try {
      const answer = await api("run", { body: Object.assign(boardBody(), { fresh: $("fresh").checked }, body || {}) });
      runSeq = Math.max(runSeq, answer.seq);
    } catch (e) { failed(e); } finally { runStarting = false; }
    renderStatus();
  }
  function rerun(slugs, only) {
    if (STATIC) return;
    const body = {};
    if (slugs) body.articles = slugs;
    if (only) body.only = only;
    run(body);
  }
  $("run").addEventListener("click", () => run());
  $("cancel").addEventListener("click", async () => {
    try { await api("cancel", { body: boardBody() }); } catch (e) { failed(e); }
  });
  $("export").addEventListener("click", async () => {
    try {
      const res = await api("export?" + qs(Object.assign(boardQuery(), { baseline: baseVariant().key, state: location.hash.slice(1) })), { raw: true });
      const blob = await res.blob();
      const named = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = named ? named[1] : "lab-export.html";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    } catch (e) { failed(e); }
  });

  // --- the article view ------------------------------------------------------------------------
  function paneKeys() {
    const keys = board.variants.map((v) => v.key);
    const base = baseVariant().key;
    const left = keys.includes(state.left) ? state.left : base;
    const right = keys.includes(state.right) ? state.right : keys.find((k) => k !== left) || left;
    return [left, right];
  }
  async function openArticle(slug, focus) {
    if (!board) return;
    state.article = slug;
    writeHash();
    $("matrix-panel").hidden = true;
    $("setup").hidden = true;
    $("article-view").hidden = false;
    $("article-title").textContent = slug;
    const [left, right] = paneKeys();
    for (const [id, chosen] of [["left", left], ["right", right]]) {
      $(id).innerHTML = board.variants.map((v) => `<option value="${esc(v.key)}"${v.key === chosen ? " selected" : ""}>${esc(variantName(v))}</option>`).join("");
    }
    await loadArticle(slug);
    if (focus !== false) $("article-title").focus();
  }
  async function loadArticle(slug) {
    try {
      const data = STATIC ? STATIC.articles[slug] : await api("article?" + qs(Object.assign(boardQuery(), { slug })));
      if (state.article !== slug) return;
      articleData = data;
      renderArticle();
    } catch (e) { failed(e); }
  }
  const reloadArticle = debounce(() => { if (state.article && !$("article-view").hidden) loadArticle(state.article); }, 200);
  function closeArticle() {
    state.article = "";
    writeHash();
    $("article-view").hidden = true;
    $("matrix-panel").hidden = false;
    $("setup").hidden = false;
    renderAll();
    focusRow(true);
  }
  function stepArticle(by) {
    const index = rows.indexOf(state.article);
    const next = rows[index + by];
    if (next) { active = index + by; openArticle(next); }
  }
  const signature = (it) => `${it.field}|${norm(it.label)}|${it.verdict}|${it.speaker_right === false ? "speaker" : ""}`;
  function marksHtml(text, marks) {
    const cuts = new Set([0, text.length]);
    for (const m of marks) { cuts.add(m.start); cuts.add(m.end); }
    const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
    const sorted = marks.slice().sort((a, b) => a.start - b.start);
    let next = 0;
    let open = [];
    let html = "";
    for (let k = 0; k < points.length - 1; k++) {
      const a = points[k], b = points[k + 1];
      open = open.filter((m) => m.end > a);
      while (next < sorted.length && sorted[next].start <= a) { if (sorted[next].end > a) open.push(sorted[next]); next++; }
      const piece = esc(text.slice(a, b));
      if (!open.length) { html += piece; continue; }
      const classes = new Set(["m"]);
      open.forEach((m) => m.classes.forEach((c) => classes.add(c)));
      const verdicts = [...new Set(open.map((m) => m.v))].join(" ");
      const ids = [...new Set(open.map((m) => m.i))].join(" ");
      const title = [...new Set(open.map((m) => m.title))].join("\n");
      html += `<span class="${[...classes].join(" ")}" data-v="${esc(verdicts)}" data-i="${ids}" title="${esc(title)}">${piece}</span>`;
    }
    return html;
  }
  function itemTitle(it) {
    let t = `${LABEL[it.field]} · ${SAY[it.verdict]}: ${it.label}`;
    if (it.gold && norm(it.gold) !== norm(it.label)) t += ` (gold: ${it.gold})`;
    if (it.field === "quotes" && it.verdict !== "missed") t += ` — speaker ${it.speaker || "none"}${it.gold_speaker ? `, gold ${it.gold_speaker}` : ""}`;
    if (it.detail) t += ` [${it.detail}]`;
    return t;
  }
  function paneHtml(side, key, otherKey) {
    const view = articleData.variants[key];
    const other = articleData.variants[otherKey];
    const v = board.variants.find((x) => x.key === key);
    const comparing = other && otherKey !== key;
    const theirs = new Set(comparing ? other.items.map(signature) : []);
    const items = view.items.map((it, i) => Object.assign({}, it, { i, differs: comparing && !theirs.has(signature(it)) }));
    const marks = [];
    for (const it of items) {
      const classes = [`${KIND[it.field]}-${it.verdict}`];
      if (it.speaker_right === false) classes.push("spk-wrong");
      if (it.differs) classes.push("differs");
      for (const [start, end] of it.spans) marks.push({ start, end, classes, v: `${it.field}:${it.verdict}`, i: it.i, title: itemTitle(it) });
    }
    let html = `<div class="pane" data-side="${side}" data-variant="${esc(key)}"><h3><code>${esc(variantName(v))}</code> <span class="note">${esc(view.state)}</span></h3>`;
    if (view.error) html += `<p class="error" data-error>${esc(view.error)}</p>`;
    if (view.headline) html += `<p class="meta headline" title="${esc(view.summary)}"><strong>${esc(view.headline)}</strong> ${esc(view.summary)}</p>`;
    view.incomplete.forEach((g) => { html += `<p class="meta state-error">incomplete ${esc(g.field)}: ${esc(g.reason)}</p>`; });
    html += `<div class="text" data-text="${side}">${marksHtml(articleData.text, marks)}</div><div class="items">`;
    const differing = items.filter((it) => it.differs).length;
    for (const field of FIELDS) {
      const list = items.filter((it) => it.field === field);
      if (!list.length) continue;
      const tally = {};
      list.forEach((it) => (tally[it.verdict] = (tally[it.verdict] || 0) + 1));
      const summary = Object.entries(tally).map(([verdict, n]) => `${n} ${SAY[verdict]}`).join(" · ");
      html += `<h4>${LABEL[field]} <span class="note">${summary}</span></h4><ul>`;
      for (const it of list) {
        html += `<li data-verdict="${it.verdict}"><button type="button" data-item="${it.i}"><span class="badge ${it.verdict}">${SAY[it.verdict]}</span>${esc(it.label)}</button>` +
          `${it.spans.length ? "" : ' <span class="nospan">(not in the text)</span>'}${it.detail && it.verdict === "dropped" ? ` <span class="note">${esc(it.detail)}</span>` : ""}` +
          `${it.differs ? ' <span class="m differs note">differs</span>' : ""}</li>`;
      }
      html += "</ul>";
    }
    const quotes = items.filter((it) => it.field === "quotes" && (it.verdict === "correct" || it.verdict === "optional"));
    if (quotes.length) {
      html += '<h4>speakers of matched quotes</h4><table class="quotes-table"><tr><th>quote</th><th>predicted</th><th>gold</th></tr>';
      for (const it of quotes) {
        const wrong = it.speaker_right === false;
        html += `<tr data-speaker="${wrong ? "wrong" : "right"}"><td>${esc(it.label.length > 90 ? it.label.slice(0, 89) + "…" : it.label)}</td>` +
          `<td class="${wrong ? "wrong" : ""}">${esc(it.speaker || "none")}${wrong ? " ✗" : " ✓"}</td><td>${esc(it.gold_speaker || "")}</td></tr>`;
      }
      html += "</table>";
    }
    return { html: html + "</div></div>", differing };
  }
  function renderArticle() {
    if (!articleData) return;
    const [left, right] = paneKeys();
    const a = paneHtml("left", left, right);
    const b = left === right ? { html: "", differing: 0 } : paneHtml("right", right, left);
    $("panes").innerHTML = a.html + b.html;
    $("diff-count").textContent = left === right ? "" : `${a.differing + b.differing} items differ between the two`;
    const index = rows.indexOf(state.article);
    $("article-prev").disabled = index <= 0;
    $("article-next").disabled = index < 0 || index >= rows.length - 1;
  }
  $("panes").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-item]");
    if (!button) return;
    const pane = button.closest(".pane");
    pane.querySelectorAll(".m.hl").forEach((m) => m.classList.remove("hl"));
    const id = button.dataset.item;
    const spans = [...pane.querySelectorAll(".text .m")].filter((m) => m.dataset.i.split(" ").includes(id));
    spans.forEach((m) => m.classList.add("hl"));
    if (spans[0]) spans[0].scrollIntoView({ block: "center" });
  });
  for (const side of ["left", "right"]) {
    $(side).addEventListener("change", () => { state[side] = $(side).value; writeHash(); renderArticle(); });
  }
  $("article-close").addEventListener("click", closeArticle);
  $("article-prev").addEventListener("click", () => stepArticle(-1));
  $("article-next").addEventListener("click", () => stepArticle(1));
  $("article-rerun").addEventListener("click", () => rerun([state.article]));
  document.addEventListener("keydown", (e) => {
    if ($("article-view").hidden || e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") { e.preventDefault(); closeArticle(); }
    else if (e.key === "[" || e.key === "k") stepArticle(-1);
    else if (e.key === "]" || e.key === "j") stepArticle(1);
    else if (e.key === "r" && !STATIC) rerun([state.article]);
  });

  // --- picking gold and variants ---------------------------------------------------------------
  function knownVariants() {
    const list = setup.prompts.map((p) => ({ key: p.ref, label: p.ref, title: `${p.strategy} · ${p.hash} · ${p.description}`, draft: false }));
    const drafts = setup.drafts.slice();
    state.variants.filter((k) => k.startsWith("draft-") && !drafts.some((d) => d.key === k)).forEach((k) => drafts.push({ key: k, ref: k, hash: "" }));
    drafts.forEach((d) => list.push({ key: d.key, label: `draft ${d.ref} · ${d.key.slice(6, 14)}`, title: "a draft (not in prompts/)", draft: true }));
    return list;
  }
  function renderVariantList() {
    $("variant-list").innerHTML = knownVariants().map((v, i) => {
      const on = state.variants.includes(v.key);
      return `<span class="variant${v.draft ? " draft" : ""}"><input type="checkbox" id="var-${i}" value="${esc(v.key)}"${on ? " checked" : ""}>` +
        `<label for="var-${i}" title="${esc(v.title)}"><code>${esc(v.label)}</code></label>` +
        `<input type="radio" name="base" value="${esc(v.key)}" aria-label="baseline: ${esc(v.label)}" title="baseline"${state.base === v.key ? " checked" : ""}${on ? "" : " disabled"}></span>`;
    }).join("");
    const drafts = knownVariants().filter((v) => v.draft);
    $("save-which").innerHTML = drafts.map((d) => `<option value="${esc(d.key)}"${state.variants.includes(d.key) ? " selected" : ""}>${esc(d.label)}</option>`).join("");
    $("draft-plan").disabled = !drafts.length;
  }
  $("variant-list").addEventListener("change", (e) => {
    const input = e.target;
    if (input.type === "checkbox") {
      if (input.checked) state.variants.push(input.value);
      else state.variants = state.variants.filter((k) => k !== input.value);
      if (!state.variants.includes(state.base)) state.base = state.variants[0] || "";
    } else if (input.type === "radio") state.base = input.value;
    writeHash();
    renderVariantList();
    loadBoard();
  });
  $("gold").addEventListener("change", () => { state.gold = $("gold").value; state.article = ""; writeHash(); loadBoard(); });
  function renderFieldToggles() {
    $("field-toggles").innerHTML = "<legend>Fields</legend>" + FIELDS.map((f) =>
      `<label><input type="checkbox" value="${f}"${state.fields.includes(f) ? " checked" : ""}> ${LABEL[f]}</label>`).join("");
    document.querySelectorAll('input[name="only"]').forEach((r) => (r.checked = r.value === state.only));
  }
  $("field-toggles").addEventListener("change", () => {
    state.fields = [...$("field-toggles").querySelectorAll("input:checked")].map((i) => i.value);
    writeHash();
    renderAll();
  });
  document.querySelectorAll('input[name="only"]').forEach((radio) => radio.addEventListener("change", () => {
    state.only = radio.value;
    active = 0;
    writeHash();
    renderAll();
  }));
  async function loadBoard() {
    const token = ++boardToken;
    if (!state.gold || !state.variants.length) { board = null; renderAll(); return; }
    try {
      const fresh = STATIC ? STATIC.board : await api("board?" + qs(boardQuery()));
      if (token !== boardToken) return;
      board = fresh;
      if (!board.variants.some((v) => v.key === state.base)) { state.base = board.variants[0].key; writeHash(); }
      if (!STATIC && board.seq > seq) { seq = board.seq; restartStream(); }
      compares = {};
      $("compare").innerHTML = "";
      renderAll();
      refreshCompare();
      if (state.article) openArticle(state.article, false);
    } catch (e) { failed(e); }
  }

  // --- drafts ----------------------------------------------------------------------------------
  const draftText = $("draft-text");
  let draftProblems = [];
  function renderGutter() {
    const lines = draftText.value.split("\n").length;
    const bad = new Set(draftProblems.map((p) => p.line));
    let html = "";
    for (let n = 1; n <= lines; n++) html += bad.has(n) ? `<span class="bad" data-line="${n}">${n}</span>\n` : `${n}\n`;
    $("draft-gutter").innerHTML = html;
    draftText.style.height = lines * 18 + 12 + "px";
  }
  async function checkDraft() {
    if (!draftText.value.trim()) { draftProblems = []; $("draft-problems").innerHTML = ""; $("draft-status").textContent = ""; renderGutter(); return null; }
    const text = draftText.value;
    const result = await api("drafts/check", { body: { text } });
    if (draftText.value !== text) return null;
    draftProblems = result.problems;
    $("draft-problems").innerHTML = result.problems.map((p) =>
      `<li><button type="button" data-line="${p.line}">line ${p.line}</button>: ${esc(p.message)}</li>`).join("");
    $("draft-status").textContent = result.ok ? `✓ loads as ${result.ref} (${result.strategy}, hash ${result.hash})` : "";
    renderGutter();
    return result;
  }
  const checkSoon = debounce(() => checkDraft().catch(failed), 600);
  draftText.addEventListener("input", () => { renderGutter(); checkSoon(); });
  $("draft-problems").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-line]");
    if (!button) return;
    const line = Number(button.dataset.line);
    const lines = draftText.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    draftText.focus({ preventScroll: true });
    draftText.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const editor = draftText.closest(".editor");
    editor.scrollTop = Math.max(0, (line - 4) * 18); // the textarea grows with its text: its box scrolls
  });
  $("draft-new").addEventListener("click", async () => {
    try {
      const ref = $("draft-base").value;
      const answer = await api(`prompts/${encodeURIComponent(ref)}/next`);
      draftText.value = answer.text;
      renderGutter();
      await checkDraft();
      draftText.focus();
    } catch (e) { failed(e); }
  });
  $("draft-check").addEventListener("click", () => checkDraft().catch(failed));
  $("draft-add").addEventListener("click", async () => {
    try {
      const check = await checkDraft();
      if (!check || !check.ok) { toast("the draft has a problem: see the line marked", true); return; }
      const draft = await api("drafts", { body: { text: draftText.value } });
      if (!setup.drafts.some((d) => d.key === draft.key)) setup.drafts.unshift({ key: draft.key, ref: draft.ref, hash: draft.hash });
      if (!state.variants.includes(draft.key)) state.variants.push(draft.key);
      if (!state.base) state.base = state.variants[0];
      writeHash();
      renderVariantList();
      $("save-which").value = draft.key;
      $("draft-status").textContent = `added as a variant: draft ${draft.ref}`;
      loadBoard();
    } catch (e) { failed(e); }
  });
  function diffHtml(diff) {
    return diff.split("\n").map((line) => {
      const cls = line.startsWith("+++") || line.startsWith("---") ? "" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "";
      return cls ? `<span class="${cls}">${esc(line)}</span>` : esc(line) + "\n";
    }).join("");
  }
  $("draft-plan").addEventListener("click", async () => {
    try {
      const which = $("save-which").value;
      const plan = await api(`drafts/${encodeURIComponent(which)}/plan`);
      $("draft-diff").hidden = false;
      $("draft-diff").innerHTML = diffHtml(plan.diff || "(no difference)");
      const save = $("draft-save");
      save.hidden = false;
      save.disabled = plan.exists;
      save.dataset.key = which;
      save.textContent = plan.exists ? `${plan.path} exists (never overwritten)` : `Write ${plan.path}`;
      $("draft-saved").textContent = plan.base ? `diff against ${plan.base}` : "a new prompt id";
      save.focus();
    } catch (e) { failed(e); }
  });
  $("draft-save").addEventListener("click", async () => {
    const which = $("draft-save").dataset.key;
    try {
      const plan = await api(`drafts/${encodeURIComponent(which)}/save`, { method: "POST" });
      $("draft-save").hidden = true;
      $("draft-saved").textContent = `saved ${plan.path}: ${plan.ref} is released (same bytes, same hash, so the draft's answers are its answers)`;
      setup = await api("setup");
      state.variants = state.variants.map((k) => (k === which ? plan.ref : k));
      if (state.base === which) state.base = plan.ref;
      if (state.left === which) state.left = plan.ref;
      if (state.right === which) state.right = plan.ref;
      writeHash();
      fillSetup();
      loadBoard();
    } catch (e) { failed(e); }
  });

  // --- start -----------------------------------------------------------------------------------
  function fillSetup() {
    $("gold").innerHTML = setup.gold_sets.map((g) => `<option value="${esc(g.id)}"${g.id === state.gold ? " selected" : ""}>${esc(g.id)} (${g.articles} articles)</option>`).join("");
    const chosen = $("draft-base").value || state.variants.find((k) => !k.startsWith("draft-")) || setup.default_prompt;
    $("draft-base").innerHTML = setup.prompts.map((p) => `<option${p.ref === chosen ? " selected" : ""}>${esc(p.ref)}</option>`).join("");
    renderVariantList();
  }
  async function start() {
    readHash();
    renderFieldToggles();
    window.addEventListener("hashchange", () => {
      const before = [state.gold, state.variants.join(","), state.article].join("|");
      readHash();
      renderFieldToggles();
      if ([state.gold, state.variants.join(","), state.article].join("|") !== before) {
        if (setup) renderVariantList();
        if (!state.article) { $("article-view").hidden = true; $("matrix-panel").hidden = false; $("setup").hidden = false; }
        loadBoard();
      } else renderAll();
    });
    if (STATIC) {
      document.body.classList.add("static");
      $("export-note").hidden = false;
      state.gold = STATIC.board.gold;
      state.variants = STATIC.board.variants.map((v) => v.key);
      await loadBoard();
      return;
    }
    try {
      setup = await api("setup");
    } catch (e) { failed(e); return; }
    if (!state.gold || !setup.gold_sets.some((g) => g.id === state.gold)) state.gold = setup.gold_sets[0] ? setup.gold_sets[0].id : "";
    if (!state.variants.length) state.variants = [setup.default_prompt];
    if (!state.base) state.base = state.variants[0];
    writeHash();
    fillSetup();
    restartStream();
    await loadBoard();
  }
  start();
})();
