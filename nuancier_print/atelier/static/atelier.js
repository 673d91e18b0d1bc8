/* The atelier's little bit of behaviour: live search, teinte picking and ordering,
   slugs from titles, watching the session file on disk, and build progress.
   Every page works without it; it only saves clicks. */
"use strict";

function fold(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().split(/\s+/).filter(Boolean);
}

/* 1. Live search over the cards' text. */
function liveSearch(input) {
  const none = document.getElementById("search-none");
  input.addEventListener("input", () => {
    const words = fold(input.value);
    let shown = 0;
    document.querySelectorAll("[data-famille]").forEach((section) => {
      let visible = 0;
      section.querySelectorAll(".card").forEach((card) => {
        const hit = words.every((w) => card.dataset.search.includes(w));
        card.hidden = !hit && !card.classList.contains("famille-card");
        if (hit && !card.classList.contains("famille-card")) visible += 1;
        if (hit && card.classList.contains("famille-card")) visible += 1;
      });
      section.hidden = visible === 0;
      shown += visible;
    });
    if (none) none.hidden = shown > 0 || words.length === 0;
  });
}

/* 2. Picking teintes by their swatches, ordering them by drag and drop or arrows. */
function teintePicker(list) {
  const text = list.dataset;
  const empty = () => {
    let note = list.querySelector(".empty");
    const items = list.querySelectorAll("li[data-numero]").length;
    if (!items && !note) {
      note = document.createElement("li");
      note.className = "empty";
      note.textContent = text.empty;
      list.appendChild(note);
    } else if (items && note) {
      note.remove();
    }
  };
  const button = (label, symbol, attr, value) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small secondary";
    b.title = label;
    b.setAttribute("aria-label", label);
    b.setAttribute(attr, value);
    b.textContent = symbol;
    return b;
  };
  const add = (swatch) => {
    const li = document.createElement("li");
    li.draggable = true;
    li.dataset.numero = swatch.dataset.swatch;
    li.style.setProperty("--bg", getComputedStyle(swatch).getPropertyValue("--bg"));
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "teinte";
    input.value = swatch.dataset.swatch;
    const label = document.createElement("span");
    label.className = "label";
    const strong = document.createElement("strong");
    strong.textContent = swatch.dataset.swatch;
    label.append(strong, " " + swatch.dataset.title);
    li.append(input, label, button(text.up, "↑", "data-move", "-1"), button(text.down, "↓", "data-move", "1"),
              button(text.remove, "×", "data-remove", ""));
    list.appendChild(li);
  };
  const swatchOf = (numero) => document.querySelector(`[data-swatch="${CSS.escape(numero)}"]`);
  const remove = (li) => {
    if (li.dataset.lived && !window.confirm(text.confirm)) return;
    const swatch = swatchOf(li.dataset.numero);
    if (swatch) swatch.setAttribute("aria-pressed", "false");
    li.remove();
  };
  document.querySelectorAll("[data-swatch]").forEach((swatch) => {
    swatch.addEventListener("click", () => {
      const li = list.querySelector(`li[data-numero="${CSS.escape(swatch.dataset.swatch)}"]`);
      if (li) {
        remove(li);
      } else {
        add(swatch);
        swatch.setAttribute("aria-pressed", "true");
      }
      empty();
      changed();
    });
  });
  list.addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    const li = b.closest("li");
    if (b.hasAttribute("data-remove")) {
      remove(li);
    } else if (b.dataset.move === "-1" && li.previousElementSibling) {
      list.insertBefore(li, li.previousElementSibling);
    } else if (b.dataset.move === "1" && li.nextElementSibling) {
      list.insertBefore(li.nextElementSibling, li);
    }
    empty();
    changed();
  });
  let dragged = null;
  list.addEventListener("dragstart", (e) => {
    dragged = e.target.closest("li[data-numero]");
    if (dragged) { dragged.classList.add("dragging"); e.dataTransfer.effectAllowed = "move"; }
  });
  list.addEventListener("dragend", () => { if (dragged) dragged.classList.remove("dragging"); dragged = null; changed(); });
  list.addEventListener("dragover", (e) => {
    if (!dragged) return;
    e.preventDefault();
    const over = e.target.closest("li[data-numero]");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    list.insertBefore(dragged, e.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
  empty();
}

/* 3. A file name made from the title, until the trainer types one. */
function slugFromTitle(source, target) {
  let typed = target.value !== "";
  target.addEventListener("input", () => { typed = target.value !== ""; });
  source.addEventListener("input", () => {
    if (typed) return;
    target.value = source.value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  });
}

/* 4. Watching the session file: reload when it changes on disk, or warn if the form was edited. */
let dirty = false;
function changed() { dirty = true; }
function watchFile(url, digest) {
  const banner = document.getElementById("disk-changed");
  const check = async () => {
    try {
      const answer = await fetch(url, { cache: "no-store" });
      if (answer.ok) {
        const state = await answer.json();
        if (state.digest !== digest) {
          if (!dirty && !document.getElementById("conflict")) {
            window.location.reload();
            return;
          }
          if (banner) banner.hidden = false;
        }
      }
    } catch (e) { /* the atelier stopped: try again later */ }
    window.setTimeout(check, 1500);
  };
  window.setTimeout(check, 1500);
}

/* 5. Build progress. */
function followJob(box) {
  const url = box.dataset.jobUrl;
  const started = Number(box.dataset.jobNumber);
  const steps = box.querySelector(".progress");
  const lines = box.querySelector(".problems");
  const tick = async () => {
    try {
      const job = await (await fetch(url, { cache: "no-store" })).json();
      if (steps && job.steps.length) {
        steps.replaceChildren(...job.steps.map((step) => {
          const li = document.createElement("li");
          li.className = step.state;
          const dot = document.createElement("span");
          dot.className = "dot";
          const label = document.createElement("span");
          label.textContent = step.label;
          li.append(dot, label);
          if (step.seconds) {
            const s = document.createElement("span");
            s.className = "hint";
            s.textContent = `${step.seconds.toFixed(1)} s`;
            li.append(s);
          }
          return li;
        }));
      }
      if (lines && job.lines.length) { lines.textContent = job.lines.join("\n"); lines.hidden = false; }
      const finished = job.state === "done" || job.state === "failed";
      if (finished && (job.number !== started || box.dataset.jobState !== job.state)) {
        window.location.reload();
        return;
      }
      window.setTimeout(tick, finished ? 2500 : 1000);
    } catch (e) {
      window.setTimeout(tick, 3000);
    }
  };
  window.setTimeout(tick, 800);
}

/* 6. Text areas grow with their text, so nothing is hidden in a scroll box. */
function autoGrow(area) {
  const fit = () => {
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight + 4, 480)}px`;
  };
  area.addEventListener("input", fit);
  fit();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea").forEach(autoGrow);
  const search = document.querySelector("[data-live-search]");
  if (search) liveSearch(search);
  const chosen = document.getElementById("chosen");
  if (chosen) teintePicker(chosen);
  const source = document.querySelector("[data-slug-source]");
  const target = document.querySelector("[data-slug-target]");
  if (source && target) slugFromTitle(source, target);
  document.querySelectorAll("[data-form]").forEach((form) => {
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
  });
  const body = document.body.dataset;
  if (body.stateUrl) watchFile(body.stateUrl, body.digest);
  document.querySelectorAll("[data-job-url]").forEach(followJob);
});
