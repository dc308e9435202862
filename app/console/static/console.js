// optserve console: live updates and actions on server-rendered pages. Plain JavaScript, no build
// step, no external request. With OPTSERVE_AUTH=required the API key is kept in sessionStorage and
// sent as X-API-Key on every fetch; the event stream is read with fetch (EventSource cannot send
// headers) and pictures are fetched as blobs for the same reason.
(function () {
  "use strict";
  const KEY = "optserve-api-key";
  const authRequired = document.body.dataset.auth === "required";
  let stopStream = null;
  let refreshTimer = null;

  const key = () => sessionStorage.getItem(KEY) || "";
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = Object.assign({}, opts.headers || {});
    if (key()) opts.headers["X-API-Key"] = key();
    return fetch(path, opts);
  }

  function fmt(value) {
    if (value === null || value === undefined) return "—";
    if (Number.isInteger(value)) return String(value);
    return String(Number(value.toPrecision(6)));
  }

  function gapText(incumbent, bound) {
    if (incumbent === null || incumbent === undefined || bound === null || bound === undefined) return "—";
    return (100 * Math.abs(incumbent - bound) / Math.max(Math.abs(incumbent), 1e-9)).toFixed(2) + "%";
  }

  async function errorText(response) {
    try {
      const body = await response.json();
      const error = body.error || {};
      const details = (error.details || []).map((d) => (d.loc || []).join(".") + ": " + d.msg);
      return [error.message || response.statusText].concat(details).join("\n");
    } catch (_) {
      return response.status + " " + response.statusText;
    }
  }

  // -- page content: swap in a fresh copy (after unlocking, or to refresh) -------------------
  async function reload() {
    const response = await api(location.href, { headers: { "X-Console-Fragment": "1" } });
    const content = document.getElementById("content");
    if (response.status === 401) {
      content.innerHTML = "<section class=\"locked\" data-locked=\"1\"><h1>The API key was not accepted</h1>" +
        "<p>Check the key in the field at the top.</p></section>";
      return;
    }
    content.innerHTML = await response.text();
    init();
  }

  async function loadImage(img, url) {
    if (!authRequired) { img.src = url; return; }
    const response = await api(url);
    if (!response.ok) return;
    const old = img.dataset.blob;
    img.src = img.dataset.blob = URL.createObjectURL(await response.blob());
    if (old) URL.revokeObjectURL(old);
  }

  // -- jobs list ------------------------------------------------------------------------------
  function initJobs(section) {
    if (section.dataset.active === "1") refreshTimer = setTimeout(reload, 3000);
  }

  // -- one job ----------------------------------------------------------------------------------
  function initJob(section) {
    const id = section.dataset.job;
    const cancel = document.getElementById("cancel");
    if (cancel) cancel.addEventListener("click", () => cancelJob(id, cancel));
    const download = document.getElementById("download");
    if (download) download.addEventListener("click", () => downloadResult(id));
    if (section.dataset.finished !== "1") watch(id);
  }

  async function cancelJob(id, button) {
    button.disabled = true;
    button.textContent = "Cancelling…";
    const response = await api("/jobs/" + encodeURIComponent(id) + "/cancel", { method: "POST" });
    if (!response.ok) { button.disabled = false; button.textContent = "Cancel"; alert(await errorText(response)); }
  }

  async function downloadResult(id) {
    const response = await api("/jobs/" + encodeURIComponent(id));
    if (!response.ok) { alert(await errorText(response)); return; }
    const job = await response.json();
    const blob = new Blob([JSON.stringify(job.result, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "result-" + id + ".json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  function onProgress(id, data) {
    document.getElementById("incumbent").textContent = fmt(data.incumbent);
    document.getElementById("bound").textContent = fmt(data.bound);
    document.getElementById("gap").textContent = gapText(data.incumbent, data.bound);
    document.getElementById("elapsed").textContent = (data.elapsed || 0).toFixed(1) + " s";
    refreshConvergence(id);
  }

  let lastConvergence = 0;
  function refreshConvergence(id) {
    const now = Date.now();
    if (now - lastConvergence < 1000) return;
    lastConvergence = now;
    const url = "/jobs/" + encodeURIComponent(id) + "/plots/convergence.svg";
    let figure = document.querySelector("figure[data-plot=convergence]");
    if (!figure) {
      figure = document.createElement("figure");
      figure.dataset.plot = "convergence";
      figure.innerHTML = "<img alt=\"convergence\"><figcaption>Convergence: incumbent and bound over time</figcaption>";
      const empty = document.getElementById("no-pictures");
      if (empty) empty.remove();
      document.getElementById("pictures").appendChild(figure);
    }
    loadImage(figure.querySelector("img"), url + "?t=" + now);
  }

  function onStatus(status) {
    const badge = document.getElementById("status");
    badge.textContent = status;
    badge.className = "status " + status;
    return ["succeeded", "failed", "cancelled"].includes(status);
  }

  function watch(id) {
    let active = true;
    stopStream = () => { active = false; };
    readEvents(id, (event) => {
      if (!active) return true;
      const data = JSON.parse(event.data || "{}");
      if (event.type === "status" && onStatus(data.status)) { reload(); return true; }
      if (event.type === "progress" || event.type === "incumbent") onProgress(id, data);
      return false;
    });
  }

  // Server-sent events over fetch: "id:", "event:", "data:" lines, a blank line ends an event.
  async function readEvents(id, handle) {
    let last = null;
    for (let attempt = 0; attempt < 30; attempt++) {
      const headers = { Accept: "text/event-stream" };
      if (last !== null) headers["Last-Event-ID"] = last;
      try {
        const response = await api("/jobs/" + encodeURIComponent(id) + "/events", { headers });
        if (!response.ok || !response.body) return;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) return;
          buffer += chunk.value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const event = parseEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (!event) continue;
            if (event.id !== null) last = event.id;
            if (handle(event)) { reader.cancel(); return; }
          }
        }
      } catch (_) {
        await sleep(1000);
      }
    }
  }

  function parseEvent(block) {
    const event = { id: null, type: "message", data: "" };
    let seen = false;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const at = line.indexOf(":");
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
      if (field === "id") event.id = value;
      else if (field === "event") event.type = value;
      else if (field === "data") { event.data += (event.data ? "\n" : "") + value; seen = true; }
    }
    return seen ? event : null;
  }

  // -- new job ----------------------------------------------------------------------------------
  function initNew() {
    const examples = JSON.parse(document.getElementById("examples").textContent);
    const request = document.getElementById("request");
    const errors = document.getElementById("errors");
    const showError = (text) => { errors.textContent = text; errors.hidden = !text; };
    document.getElementById("from-example").addEventListener("submit", (event) => {
      event.preventDefault();
      request.value = JSON.stringify(examples[document.getElementById("family").value], null, 2);
      showError("");
    });
    document.getElementById("from-file").addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = document.getElementById("file").files[0];
      if (!file) { showError("Choose a file first."); return; }
      const body = { format: document.getElementById("format").value, text: await file.text() };
      const capacity = document.getElementById("capacity").value;
      if (capacity) body.capacity = Number(capacity);
      const response = await api("/ui/convert", { method: "POST", headers: { "Content-Type": "application/json" },
                                                  body: JSON.stringify(body) });
      if (!response.ok) { showError(await errorText(response)); return; }
      request.value = JSON.stringify(await response.json(), null, 2);
      showError("");
    });
    document.getElementById("submit-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      let body;
      try { body = JSON.parse(request.value); } catch (error) { showError("Not JSON: " + error.message); return; }
      const response = await api("/jobs", { method: "POST", headers: { "Content-Type": "application/json" },
                                            body: JSON.stringify(body) });
      if (!response.ok) { showError(await errorText(response)); return; }
      location.href = "/ui/jobs/" + encodeURIComponent((await response.json()).id);
    });
  }

  // -- key field and start-up -----------------------------------------------------------------
  function initKey() {
    const form = document.getElementById("key-form");
    if (!form) return;
    const input = document.getElementById("api-key");
    input.value = key();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, input.value.trim());
      reload();
    });
    document.getElementById("forget-key").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      input.value = "";
      reload();
    });
  }

  function init() {
    if (stopStream) { stopStream(); stopStream = null; }
    if (refreshTimer) { clearTimeout(refreshTimer); refreshTimer = null; }
    if (document.querySelector("[data-locked]")) { if (key()) reload(); return; }
    document.querySelectorAll("img[data-src]").forEach((img) => loadImage(img, img.dataset.src));
    const section = document.querySelector("[data-page]");
    if (!section) return;
    if (section.dataset.page === "jobs") initJobs(section);
    if (section.dataset.page === "job") initJob(section);
    if (section.dataset.page === "new") initNew();
  }

  initKey();
  init();
})();
