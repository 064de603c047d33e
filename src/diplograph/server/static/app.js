"use strict";
// The web page: the catalog of stored queries, a form per query built from its
// header, results with each row's sources, downloads and pictures, the network of
// relations, and the SPARQL editor.

const FORMATS = ["csv", "tsv", "json", "xml", "ndjson"];
const EXTENSIONS = { json: "srj", xml: "srx" };
const LANGUAGES = ["en", "az", "ru"];
const XLINK = "http://www.w3.org/1999/xlink";
const state = { queries: new Map(), prefixes: {}, yasgui: null, regions: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function compact(iri) {
  for (const [prefix, base] of Object.entries(state.prefixes)) {
    const local = iri.slice(base.length);
    if (iri.startsWith(base) && /^[A-Za-z0-9_.-]*$/.test(local)) return `${prefix}:${local}`;
  }
  return iri;
}

async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    throw new Error(body.error + (body.hint ? ` (hint: ${body.hint})` : ""));
  }
  return body;
}

// completion of country fields: codes and names in every language
function countryInput(name, listId) {
  const input = el("input", { name, list: listId, placeholder: "code or name", "data-kind": "country" });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) return;
    timer = setTimeout(async () => {
      const { countries } = await fetchJson(`/api/countries?q=${encodeURIComponent(text)}&limit=12`);
      if (input.value.trim() !== text) return;  // typed on since: a later answer comes
      const list = document.getElementById(listId);
      list.replaceChildren(...countries.map((c) =>
        el("option", { value: c.code, label: c.matched === c.code ? c.name : `${c.matched} (${c.name})` })));
    }, 120);
  });
  return input;
}

function parameterInput(p) {
  const attrs = { name: p.name, required: p.required && !p.multi, "aria-label": p.name };
  if (p.type === "country") {
    const listId = `countries-${p.name}`;
    if (!document.getElementById(listId)) document.body.append(el("datalist", { id: listId }));
    const input = countryInput(p.name, listId);
    if (p.required) input.required = true;
    return input;
  }
  if (p.type === "enum") {
    return el("select", attrs, el("option", { value: "" }, "(any)"),
      ...p.values.map((v) => el("option", { value: v, selected: v === p.default }, v)));
  }
  if (p.type === "lang") {
    return el("select", attrs, ...LANGUAGES.map((v) =>
      el("option", { value: v, selected: v === (p.default || "en") }, v)));
  }
  const placeholders = { date: "YYYY or YYYY-MM or YYYY-MM-DD", year: "YYYY", "lang-string": "text@lang" };
  return el("input", { ...attrs, placeholder: p.example || placeholders[p.type] || p.type,
    pattern: { date: "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", year: "[0-9]{4}" }[p.type] });
}

function formValues(form) {
  const params = new URLSearchParams();
  for (const input of form.querySelectorAll("input, select")) {
    if (input.value.trim()) params.append(input.name, input.value.trim());
  }
  return params;
}

function buildForm(query, values) {
  const form = document.getElementById("query-form");
  form.replaceChildren();
  for (const p of query.parameters) {
    const field = el("div", { class: "field", "data-param": p.name });
    field.append(el("label", {}, p.name + (p.required ? " *" : "")));
    const given = values.getAll(p.name);
    for (const value of given.length ? given : [null]) {
      const input = parameterInput(p);
      if (value !== null) input.value = value;
      field.append(input);
    }
    if (p.multi) {
      field.append(el("button", { type: "button", class: "more", onclick: (e) => {
        e.target.before(parameterInput(p));
      } }, "+ another"));
    }
    if (p.help) field.append(el("small", {}, p.help));
    form.append(field);
  }
  form.append(el("button", { type: "submit", class: "run" }, "Run"));
  form.onsubmit = (event) => {
    event.preventDefault();
    const params = formValues(form);
    const hash = `#query/${query.name}` + (params.toString() ? `?${params}` : "");
    if (location.hash !== hash) history.pushState(null, "", hash);
    run(query, params);
  };
}

function cell(term) {
  if (!term) return el("td");
  if (term.type === "uri") {
    const name = compact(term.value);  // only web addresses become links (no javascript:)
    return el("td", {}, /^https?:\/\//.test(term.value) ? el("a", { href: term.value, title: term.value }, name) : name);
  }
  const td = el("td", { class: term.value.length < 14 ? "short" : null }, term.value);
  if (term["xml:lang"]) td.lang = term["xml:lang"];
  return td;
}

async function showSources(number, row, lang) {
  const nodes = Object.values(row).filter((t) => t.type === "uri").map((t) => t.value);
  const dialog = document.getElementById("sources");
  const body = document.getElementById("sources-body");
  document.getElementById("sources-row").textContent = number;
  body.replaceChildren(el("p", {}, "Looking up sources..."));
  dialog.showModal();
  try {
    const params = new URLSearchParams(nodes.map((n) => ["node", n]));
    const { supports } = await fetchJson(`/api/explain?${params}`);
    if (!supports.length) {
      body.replaceChildren(el("p", {}, "No fact of this row carries a source."));
      return;
    }
    body.replaceChildren(...supports.map((s) => {
      const quote = s.quotes.find((q) => q.lang === lang) || s.quotes.find((q) => q.lang === "en") || s.quotes[0];
      return el("div", { class: "support" },
        el("div", {}, el("b", {}, s.name), ` from ${s.sources.join(", ")}`),
        quote ? el("blockquote", { lang: quote.lang || null }, quote.text) : null);
    }));
  } catch (error) {
    body.replaceChildren(el("p", { class: "error" }, error.message));
  }
}

// A picture is put into the page as SVG, so that its marks are links with tooltips;
// a mark links only to a web address.
function inlineSvg(text) {
  const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
  if (svg.namespaceURI !== "http://www.w3.org/2000/svg") throw new Error("the picture is not SVG");
  for (const a of svg.getElementsByTagNameNS(svg.namespaceURI, "a")) {
    const href = a.getAttributeNS(XLINK, "href") || a.getAttribute("href") || "";
    if (!/^https?:\/\//.test(href)) {
      a.removeAttributeNS(XLINK, "href");
      a.removeAttribute("href");
    }
  }
  return document.importNode(svg, true);
}

// Draw the picture at `url` into `figure`; an error's message, or null once shown.
async function showSvg(figure, url, name) {
  figure.dataset.url = url;
  figure.hidden = true;
  figure.replaceChildren();
  try {
    const response = await fetch(url);
    if (!response.ok) {
      const body = await response.json().catch(() => ({ error: response.statusText }));
      return body.error + (body.hint ? ` (hint: ${body.hint})` : "");
    }
    const svg = inlineSvg(await response.text());
    if (figure.dataset.url !== url) return null;  // asked again since: the later one shows
    figure.replaceChildren(svg, el("figcaption", {}, "Download:",
      el("a", { href: url, download: `${name}.svg` }, "SVG")));
    figure.hidden = false;
    return null;
  } catch (error) {
    return error.message;
  }
}

function showPicture(query, params) {
  showSvg(document.getElementById("picture"), `/api/pictures/${query.name}?${params}`, query.name);
}

function regionSelect(value) {
  return el("select", { name: "region", "aria-label": "region" },
    el("option", { value: "" }, "(every state)"),
    ...state.regions.map((r) => el("optgroup", { label: r.name },
      el("option", { value: r.name, selected: r.name === value }, r.name),
      ...r.subregions.map((s) => el("option", { value: s, selected: s === value }, `\u2003${s}`)))));
}

function field(name, input, help) {
  return el("div", { class: "field", "data-param": name }, el("label", {}, name), input,
    help ? el("small", {}, help) : null);
}

async function showNetwork(values) {
  showView("network");
  const form = document.getElementById("network-form");
  const status = document.getElementById("network-status");
  try {
    state.regions = state.regions || (await fetchJson("/api/regions")).regions;
  } catch (error) {
    status.className = "status error";
    status.textContent = `error: ${error.message}`;
    return;
  }
  const given = values.getAll("region");
  const regions = field("region", null, "A UN M49 region or subregion; every state if none.");
  regions.querySelector("small").before(...(given.length ? given : [""]).map(regionSelect),
    el("button", { type: "button", class: "more", onclick: (e) => e.target.before(regionSelect("")) },
      "+ another"));
  const lang = values.get("lang") || "en";
  form.replaceChildren(regions,
    field("lang", el("select", { name: "lang", "aria-label": "lang" },
      ...LANGUAGES.map((v) => el("option", { value: v, selected: v === lang }, v)))),
    field("max_edges", el("input", { name: "max_edges", type: "number", min: 1, "aria-label": "max_edges",
      value: values.get("max_edges") || "600" }), "Draw at most this many edges, the heaviest."),
    el("button", { type: "submit", class: "run" }, "Draw"));
  form.onsubmit = (event) => {
    event.preventDefault();
    const params = formValues(form);
    const hash = "#network" + (params.toString() ? `?${params}` : "");
    if (location.hash !== hash) history.pushState(null, "", hash);
    drawNetwork(params);
  };
  drawNetwork(values);
}

async function drawNetwork(params) {
  const status = document.getElementById("network-status");
  const figure = document.getElementById("network");
  status.className = "status";
  status.textContent = "Drawing...";
  const started = performance.now();
  const error = await showSvg(figure, `/api/network?${params}`, "network");
  if (error) {
    status.className = "status error";
    status.textContent = `error: ${error}`;
    return;
  }
  const states = figure.querySelectorAll("g[id^='state-']").length;
  const edges = figure.querySelectorAll("g[id^='edge-']").length;
  const ms = Math.round(performance.now() - started);
  status.textContent = `${states} states and ${edges} edges drawn in ${ms} ms`;
}

function showView(name) {
  document.getElementById("queries-view").hidden = name !== "queries";
  document.getElementById("network-view").hidden = name !== "network";
  for (const view of ["queries", "network"]) {
    document.getElementById(`nav-${view}`).classList.toggle("active", view === name);
  }
}

async function run(query, params) {
  const status = document.getElementById("status");
  const table = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  status.className = "";
  status.textContent = "Running...";
  table.replaceChildren();
  downloads.hidden = true;
  const started = performance.now();
  let doc;
  try {
    doc = await fetchJson(`/api/queries/${query.name}?${params}&format=json`);
  } catch (error) {
    status.className = "error";
    status.textContent = `error: ${error.message}`;
    return;
  }
  const rows = doc.results.bindings;
  const ms = Math.round(performance.now() - started);
  status.textContent = `${rows.length} row${rows.length === 1 ? "" : "s"} in ${ms} ms`;
  const lang = params.get("lang") || "en";
  const columns = doc.head.vars;
  table.append(el("thead", {}, el("tr", {}, el("th", {}, "#"), ...columns.map((c) => el("th", {}, c)), el("th", {}, ""))));
  const shown = rows.slice(0, 2000);
  table.append(el("tbody", {}, ...shown.map((row, i) => el("tr", {},
    el("td", {}, String(i + 1)), ...columns.map((c) => cell(row[c])),
    el("td", {}, el("button", { class: "sources", onclick: () => showSources(i + 1, row, lang) }, "sources"))))));
  if (rows.length > shown.length) status.textContent += ` (first ${shown.length} shown; download them all)`;
  downloads.replaceChildren("Download:", ...FORMATS.map((f) => el("a", {
    href: `/api/queries/${query.name}?${params}&format=${f}`,
    download: `${query.name}.${EXTENSIONS[f] || f}`,
  }, f.toUpperCase())));
  downloads.hidden = false;
  if (query.picture) showPicture(query, params);
}

function selectQuery(name, values) {
  const query = state.queries.get(name);
  if (!query) return;
  showView("queries");
  document.getElementById("welcome").hidden = true;
  document.getElementById("query").hidden = false;
  for (const button of document.querySelectorAll("#query-list button")) {
    button.toggleAttribute("aria-current", button.dataset.query === name);
  }
  document.getElementById("query-name").textContent = query.name;
  document.getElementById("query-summary").textContent = query.summary;
  document.getElementById("query-description").textContent = query.description;
  document.getElementById("status").textContent = "";
  document.getElementById("results").replaceChildren();
  document.getElementById("downloads").hidden = true;
  document.getElementById("picture").hidden = true;
  buildForm(query, values);
  if ([...values.keys()].length) run(query, values);
}

function showSparql() {
  document.getElementById("queries-view").hidden = true;
  document.getElementById("sparql-view").hidden = false;
  if (!state.yasgui) {
    const endpoint = `${location.origin}/sparql`;
    state.yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
      yasqe: { prefixCcApi: `${location.origin}/api/prefixes`, value:
        "PREFIX dg: <https://w3id.org/diplograph/ontology#>\n" +
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n" +
        "SELECT ?class (COUNT(*) AS ?n) WHERE {\n  ?x a ?class\n  FILTER(STRSTARTS(STR(?class), STR(dg:)))\n}\n" +
        "GROUP BY ?class ORDER BY DESC(?n)\n" },
    });
  }
}

const EDITOR = location.pathname === "/sparql";  // the editor has a page of its own

function route() {
  if (EDITOR) return;
  const hash = decodeURIComponent(location.hash.slice(1));
  const network = /^network(?:\?(.*))?$/.exec(hash);
  if (network) return showNetwork(new URLSearchParams(network[1] || ""));
  showView("queries");
  const match = /^query\/([a-z0-9_]+)(?:\?(.*))?$/.exec(hash);
  if (match) selectQuery(match[1], new URLSearchParams(match[2] || ""));
}

function loadSparqlEditor() {
  // YASGUI is loaded on the editor's page only
  document.head.append(el("link", { rel: "stylesheet", href: "/static/vendor/yasgui/yasgui.min.css" }));
  document.head.append(el("script", { src: "/static/vendor/yasgui/yasgui.min.js", onload: showSparql }));
}

async function main() {
  if (EDITOR) {
    document.getElementById("nav-sparql").classList.add("active");
    loadSparqlEditor();
    return;
  }
  const catalog = await fetchJson("/api/queries");
  state.prefixes = catalog.prefixes;
  const list = document.getElementById("query-list");
  for (const query of catalog.queries) {
    state.queries.set(query.name, query);
    list.append(el("li", {}, el("button", { "data-query": query.name, onclick: () => {
      history.pushState(null, "", `#query/${query.name}`);
      selectQuery(query.name, new URLSearchParams());
    } }, el("b", {}, query.name), el("span", {}, query.summary))));
  }
  window.addEventListener("popstate", route);
  window.addEventListener("hashchange", route);
  route();
}

main();
