// tensorcts site: the search box (every page) and the matrix filters (matrix.html).
// Plain scripts, no modules and no fetch(), so that pages work opened from file://.
"use strict";

(function () {
  const root = document.body.dataset.root || "";

  // ---- search: every term must occur in the rule's id, title or text ----
  const box = document.getElementById("search");
  const list = document.getElementById("search-results");
  function search(query) {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length || !window.TCTS_INDEX) return [];
    const hits = [];
    for (const e of window.TCTS_INDEX) {
      const id = e.id.toLowerCase(), hay = (e.id + " " + e.t + " " + e.x).toLowerCase();
      if (terms.every((t) => hay.includes(t))) {
        // ids that match score first, then titles, then body text
        const score = terms.reduce((s, t) => s + (id.includes(t) ? 4 : e.t.toLowerCase().includes(t) ? 2 : 1), 0);
        hits.push([score, e]);
      }
    }
    hits.sort((a, b) => b[0] - a[0]);
    return hits.slice(0, 20).map((h) => h[1]);
  }
  function show(results) {
    list.replaceChildren();
    for (const e of results) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = root + e.u;
      const code = document.createElement("code");
      code.textContent = e.id;
      a.append(code, " " + e.t);
      li.append(a);
      list.append(li);
    }
    list.hidden = results.length === 0;
  }
  if (box && list) {
    box.addEventListener("input", () => show(search(box.value)));
    box.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        const first = list.querySelector("a");
        if (first) window.location.href = first.href;
      } else if (ev.key === "Escape") {
        box.value = "";
        show([]);
      }
    });
  }

  // ---- matrix filters: area, level, status, backend ----
  const table = document.getElementById("matrix");
  if (!table) return;
  const ids = ["f-area", "f-level", "f-status", "f-backend"];
  const select = Object.fromEntries(ids.map((id) => [id, document.getElementById(id)]));
  const count = document.getElementById("shown-count");
  const rows = Array.from(table.tBodies[0].rows);

  function apply() {
    const area = select["f-area"].value, level = select["f-level"].value;
    const status = select["f-status"].value, backend = select["f-backend"].value;
    // a backend filter hides the other backends' columns; the status filter looks at visible cells only
    for (const cell of table.querySelectorAll("[data-backend]")) {
      cell.hidden = Boolean(backend) && cell.dataset.backend !== backend;
    }
    let shown = 0;
    for (const row of rows) {
      const cells = Array.from(row.querySelectorAll("td[data-backend]")).filter((c) => !c.hidden);
      const ok = (!area || row.dataset.area === area) && (!level || row.dataset.level === level) &&
        (!status || cells.some((c) => c.dataset.status === status));
      row.hidden = !ok;
      if (ok) shown += 1;
    }
    count.textContent = shown + " of " + rows.length + " rules shown";
    const params = new URLSearchParams();
    for (const id of ids) if (select[id].value) params.set(id.slice(2), select[id].value);
    const query = params.toString();
    history.replaceState(null, "", query ? "?" + query + location.hash : location.pathname + location.hash);
  }
  // filters can come in the URL: matrix.html?status=fail&backend=jax
  const given = new URLSearchParams(location.search);
  for (const id of ids) {
    const v = given.get(id.slice(2));
    if (v && Array.from(select[id].options).some((o) => o.value === v)) select[id].value = v;
    select[id].addEventListener("change", apply);
  }
  apply();
})();
