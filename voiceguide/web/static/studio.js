// The studio's page: every control sends the session's shape to the server, which plans it
// (the cue sheet below follows at once), renders it, and keeps the sessions. No framework: plain
// DOM calls, fetch and server-sent events. Addresses are relative to the page's own (its token).
"use strict";

const $ = (id) => document.getElementById(id);
const SETTINGS_KEY = "voiceguide-studio";
const controls = ["routine", "minutes", "pace", "voice", "music", "chime", "lead-in", "format", "ticks"];
let routines = [];
let planned = false;
let planTimer = null;
let planAsked = 0;
let events = null;
let lastSession = null;
let editing = null;

function clock(ms) {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function element(tag, text, className) {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;
  if (className) made.className = className;
  return made;
}

async function call(path, options = {}) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  return { ok: response.ok, status: response.status, body };
}

function postJson(path, data) {
  return call(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
}

// Settings: what the controls hold, remembered between visits.

function settings() {
  const minutes = $("minutes").value.trim();
  return {
    routine: $("routine").value,
    minutes: minutes === "" ? null : Number(minutes),
    pace: $("pace").value,
    voice: $("voice").value || "auto",
    language: currentRoutine()?.language || null,
    music: $("music").value,
    chime: $("chime").value,
    lead_in_s: Number($("lead-in").value || 0),
    ticks: $("ticks").checked,
    format: $("format").value,
  };
}

function remember() {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings()));
}

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(SETTINGS_KEY) || "{}");
  } catch {
    return {};
  }
}

function choose(select, value) {
  if ([...select.options].some((option) => option.value === value)) select.value = value;
}

// Routines.

function currentRoutine() {
  return routines.find((routine) => routine.name === $("routine").value);
}

async function loadRoutines(selected) {
  const { body } = await call("api/routines");
  routines = body;
  const select = $("routine");
  select.replaceChildren();
  for (const routine of routines) {
    const label = routine.error ? `${routine.name} (cannot be read)` : `${routine.title} · ${routine.minutes} min`;
    const option = element("option", routine.own ? `${label} · yours` : label);
    option.value = routine.name;
    option.disabled = Boolean(routine.error);
    select.append(option);
  }
  choose(select, selected);
  showRoutine();
}

function showRoutine() {
  const routine = currentRoutine();
  $("routine-error").textContent = routine?.error || "";
  if (!routine || routine.error) return;
  $("routine-summary").textContent = `${routine.minutes} minutes, ${routine.steps.length} steps. ${routine.description}`;
  $("routine-steps").replaceChildren(...routine.steps.map((title) => element("li", title)));
  $("edit-routine").hidden = !routine.own;
  $("delete-routine").hidden = !routine.own;
  if (!$("minutes").value) $("minutes").placeholder = String(routine.minutes);
}

// Voices and music.

async function loadVoices(selected) {
  const language = currentRoutine()?.language || "en";
  const { body } = await call(`api/voices?language=${encodeURIComponent(language)}`);
  const select = $("voice");
  select.replaceChildren(...body.map((voice) => Object.assign(element("option", voice.label), { value: voice.value })));
  choose(select, selected);
}

async function loadMusic(selected) {
  const { body } = await call("api/music");
  const select = $("music");
  for (const option of [...select.options].slice(2)) option.remove();
  for (const track of body) select.append(Object.assign(element("option", track.label), { value: track.value }));
  choose(select, selected);
}

async function previewVoice() {
  $("voice-error").textContent = "";
  $("preview-voice").disabled = true;
  try {
    const response = await fetch("api/voices/sample", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(settings()),
    });
    if (!response.ok) {
      $("voice-error").textContent = (await response.json()).error;
      return;
    }
    const sample = $("voice-sample");
    sample.src = URL.createObjectURL(await response.blob());
    await sample.play().catch(() => {});
  } finally {
    $("preview-voice").disabled = false;
  }
}

async function uploadMusic() {
  const file = $("music-file").files[0];
  if (!file) return;
  $("music-error").textContent = `Reading ${file.name}…`;
  const { ok, body } = await call(`api/music?name=${encodeURIComponent(file.name)}`, { method: "POST", body: file });
  $("music-error").textContent = ok ? "" : body?.error || "The track could not be added.";
  $("music-file").value = "";
  if (ok) {
    await loadMusic(body.value);
    changed();
  }
}

// The live cue sheet.

function showErrors(field, message) {
  for (const node of document.querySelectorAll("#shape-section .error, #routine-error")) node.textContent = "";
  if (!field) return;
  const target = $(`${field}-error`) || $("minutes-error");
  target.textContent = message;
}

function changed() {
  remember();
  clearTimeout(planTimer);
  planTimer = setTimeout(plan, 150);
}

async function plan() {
  const asked = ++planAsked;
  const { ok, body } = await postJson("api/plan", settings());
  if (asked !== planAsked) return; // a later change has asked again
  planned = ok;
  $("render").disabled = !ok || events !== null;
  if (!ok) {
    showErrors(body.field, body.error);
    $("plan-summary").textContent = "";
    $("cue-sheet").tBodies[0].replaceChildren();
    return;
  }
  showErrors(null);
  $("plan-summary").textContent = `${body.title}: ${clock(body.total_ms)}, ${body.steps.length} steps`;
  const rows = body.rows.map((row) => {
    const line = element("tr", undefined, `cue ${row.kind}`);
    const said = row.kind === "chime" ? "(chime: the step begins)" : row.said;
    line.append(element("td", row.time, "time"), element("td", row.step), element("td", said));
    return line;
  });
  $("cue-sheet").tBodies[0].replaceChildren(...rows);
}

// Rendering.

async function render() {
  $("render-error").textContent = "";
  const { ok, status, body } = await postJson("api/renders", settings());
  if (!ok) {
    $("render-error").textContent = body.error;
    if (status === 409) follow();
    return;
  }
  follow();
}

function follow() {
  if (events) return;
  $("render").disabled = true;
  $("cancel").hidden = false;
  $("progress").hidden = false;
  $("render-status").textContent = "Starting…";
  events = new EventSource("api/renders/events");
  events.addEventListener("running", (event) => showProgress(JSON.parse(event.data)));
  for (const ending of ["done", "failed", "cancelled", "idle"]) {
    events.addEventListener(ending, (event) => finished(ending, JSON.parse(event.data)));
  }
}

function showProgress(state) {
  $("progress").value = state.percent;
  const left = state.seconds_left === null ? "" : `, about ${Math.ceil(state.seconds_left)} s left`;
  const clips = state.clips_total ? `${state.clips_ready} of ${state.clips_total} lines spoken, ` : "";
  $("render-status").textContent = `Rendering: ${clips}${Math.round(state.percent)}%${left}`;
}

async function finished(ending, state) {
  events.close();
  events = null;
  $("cancel").hidden = true;
  $("progress").hidden = true;
  $("render").disabled = !planned;
  const words = {
    done: "Done.", failed: "The render failed.", cancelled: "Cancelled; no file was written.", idle: "",
  };
  $("render-status").textContent = words[ending];
  if (ending === "failed") $("render-error").textContent = state.error;
  const sessions = await loadSessions();
  if (ending === "done") showSession(sessions.find((session) => session.name === state.result.name));
}

async function cancel() {
  await call("api/renders/cancel", { method: "POST" });
  $("render-status").textContent = "Cancelling…";
}

// Sessions.

function showSession(session) {
  if (!session) return;
  lastSession = session;
  $("result").hidden = false;
  $("result-title").textContent = `${session.title} · ${clock(session.duration_ms)}`;
  const player = $("player");
  player.src = session.url;
  $("download").href = session.url;
  $("download").textContent = `Download ${session.name}`;
  $("session-link").href = session.url;
  $("session-link").textContent = session.name;
  $("chapters").replaceChildren(...session.chapters.map((chapter) => {
    const item = element("li");
    const seek = element("button", `${clock(chapter.start_ms)} ${chapter.title}`, "link");
    seek.type = "button";
    seek.addEventListener("click", () => {
      player.currentTime = chapter.start_ms / 1000;
      player.play().catch(() => {});
    });
    item.append(seek);
    return item;
  }));
  const picture = $("picture");
  picture.hidden = true;
  picture.onload = () => { picture.hidden = false; };
  picture.src = `${session.picture}?${session.size_bytes}`;
}

async function loadSessions() {
  const { body } = await call("api/sessions");
  $("sessions").replaceChildren(...body.sessions.map((session) => {
    const item = element("li");
    const play = element("button", `${session.title} · ${clock(session.duration_ms)}`, "link");
    play.type = "button";
    play.addEventListener("click", () => showSession(session));
    const remove = element("button", "Delete", "danger small");
    remove.type = "button";
    remove.setAttribute("aria-label", `Delete ${session.name}`);
    remove.addEventListener("click", () => deleteSession(session));
    item.append(play, element("span", session.name, "file"), remove);
    return item;
  }));
  if (body.sessions.length === 0) $("sessions").append(element("li", "None yet: render one above."));
  return body.sessions;
}

async function deleteSession(session) {
  if (!confirm(`Delete ${session.name}? It cannot be undone.`)) return;
  await call(`api/sessions/${encodeURIComponent(session.name)}`, { method: "DELETE" });
  if (lastSession?.name === session.name) $("result").hidden = true;
  await loadSessions();
}

// Writing routines.

function stepFieldset(step, index) {
  const box = element("fieldset", undefined, "step");
  box.append(element("legend", `Step ${index + 1}`));
  const field = (label, name, value, type = "text") => {
    const wrap = element("div", undefined, "field");
    const id = `step-${index}-${name}`;
    const labelled = element("label", label);
    labelled.htmlFor = id;
    const input = type === "textarea" ? element("textarea") : element("input");
    if (type !== "textarea") input.type = type;
    input.id = id;
    input.dataset.field = `steps.${index}.${name}`;
    input.value = value ?? "";
    const error = element("p", "", "error");
    error.dataset.error = `steps.${index}.${name}`;
    wrap.append(labelled, input, error);
    return wrap;
  };
  box.append(field("Title", "title", step.title), field("Duration (e.g. 1m30s)", "duration", step.duration));
  const moves = (step.moves || []).map((move) => (typeof move === "string" ? { text: move } : move));
  const movesBox = element("div", undefined, "moves");
  const addMove = (move) => {
    const row = element("div", undefined, "move-row");
    const number = movesBox.children.length;
    const text = Object.assign(element("input"), { value: move.text || "", placeholder: "What the hands do" });
    text.dataset.field = `steps.${index}.moves.${number}.text`;
    text.setAttribute("aria-label", `Move ${number + 1}`);
    const strokes = Object.assign(element("input"), { type: "number", min: 1, max: 60, value: move.strokes ?? "" });
    strokes.dataset.field = `steps.${index}.moves.${number}.strokes`;
    strokes.setAttribute("aria-label", `Counted strokes of move ${number + 1}`);
    strokes.placeholder = "strokes";
    const error = element("p", "", "error");
    error.dataset.error = `steps.${index}.moves.${number}`;
    row.append(text, strokes, error);
    movesBox.append(row);
  };
  moves.forEach(addMove);
  const more = element("button", "Add a move", "small");
  more.type = "button";
  more.addEventListener("click", () => addMove({ text: "" }));
  box.append(element("p", "Moves (strokes: how many to count, or empty)"), movesBox, more);
  box.append(field("Tips, one a line", "tips", (step.tips || []).join("\n"), "textarea"));
  box.dataset.index = index;
  box.kept = step; // fields the form does not show (muscles, say, sides) are kept as they were
  return box;
}

function openEditor(data, file, own) {
  editing = { data, own };
  $("editor-file").value = file;
  $("editor-name").value = data.name;
  $("editor-description").value = data.description || "";
  $("editor-steps").replaceChildren(...data.steps.map(stepFieldset));
  for (const node of $("editor").querySelectorAll(".error")) node.textContent = "";
  $("editor").showModal();
}

function formRoutine() {
  const { data } = editing;
  const steps = [...$("editor-steps").children].map((box) => {
    const value = (name) => box.querySelector(`[data-field$=".${name}"]`).value.trim();
    const moves = [...box.querySelectorAll(".move-row")]
      .map((row) => {
        const [text, strokes] = row.querySelectorAll("input");
        const count = strokes.value.trim();
        return count ? { text: text.value.trim(), strokes: Number(count) } : text.value.trim();
      })
      .filter((move) => (typeof move === "string" ? move : move.text));
    const tips = value("tips").split("\n").map((tip) => tip.trim()).filter(Boolean);
    const step = { ...box.kept, title: value("title"), duration: value("duration"), moves, tips };
    for (const empty of ["moves", "tips"]) if (step[empty].length === 0) delete step[empty];
    return step;
  });
  return { ...data, name: $("editor-name").value.trim(), description: $("editor-description").value.trim(), steps };
}

async function saveRoutine(replace = false) {
  for (const node of $("editor").querySelectorAll(".error")) node.textContent = "";
  const file = $("editor-file").value.trim();
  const { ok, status, body } = await postJson("api/routines", { file, replace, routine: formRoutine() });
  if (status === 409 && body.exists && confirm(`${file}.yaml exists. Replace it?`)) return saveRoutine(true);
  if (!ok) {
    for (const [field, message] of Object.entries(body.errors || {})) {
      const target = field ? $("editor").querySelector(`[data-error="${CSS.escape(field)}"]`) : null;
      const fallback = [...$("editor").querySelectorAll("[data-error]")]
        .find((node) => field.startsWith(`${node.dataset.error}.`));
      (target || fallback || $("editor-error")).textContent = field && !target && !fallback
        ? `${field}: ${message}` : message;
    }
    return;
  }
  $("editor").close();
  await loadRoutines(body.file);
  changed();
}

async function editRoutine(copy) {
  const routine = currentRoutine();
  const { body } = await call(`api/routines/${encodeURIComponent(routine.name)}`);
  const data = body.routine;
  if (copy) data.name = `${data.name} (mine)`;
  openEditor(data, copy ? `${routine.name}-mine` : routine.name, body.own && !copy);
}

async function deleteRoutine() {
  const routine = currentRoutine();
  if (!confirm(`Delete your routine "${routine.title}"? It cannot be undone.`)) return;
  await call(`api/routines/${encodeURIComponent(routine.name)}`, { method: "DELETE" });
  await loadRoutines("daily");
  changed();
}

function addStep() {
  const steps = $("editor-steps");
  steps.append(stepFieldset({ title: "", duration: "1m", moves: [] }, steps.children.length));
}

// Start.

async function start() {
  const saved = remembered();
  await loadRoutines(saved.routine || "daily");
  if (saved.minutes) $("minutes").value = saved.minutes;
  for (const [id, key] of [["pace", "pace"], ["chime", "chime"], ["format", "format"]]) {
    if (saved[key]) choose($(id), saved[key]);
  }
  if (saved.lead_in_s !== undefined) $("lead-in").value = saved.lead_in_s;
  if (saved.ticks !== undefined) $("ticks").checked = saved.ticks;
  await Promise.all([loadVoices(saved.voice), loadMusic(saved.music), loadSessions()]);
  for (const id of controls) $(id).addEventListener(id === "minutes" || id === "lead-in" ? "input" : "change", changed);
  $("routine").addEventListener("change", async () => {
    showRoutine();
    await loadVoices($("voice").value);
    changed();
  });
  $("preview-voice").addEventListener("click", previewVoice);
  $("music-file").addEventListener("change", uploadMusic);
  $("render").addEventListener("click", render);
  $("cancel").addEventListener("click", cancel);
  $("copy-routine").addEventListener("click", () => editRoutine(true));
  $("edit-routine").addEventListener("click", () => editRoutine(false));
  $("delete-routine").addEventListener("click", deleteRoutine);
  $("add-step").addEventListener("click", addStep);
  $("close-editor").addEventListener("click", () => $("editor").close());
  $("editor-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveRoutine();
  });
  await plan();
  follow(); // a render started earlier (in another tab, or before a reload) is shown as it goes
}

document.addEventListener("DOMContentLoaded", start);
