// Progressive enhancement only: every page works without this file.
// With JavaScript running, the navigation bar collapses behind its toggler on
// small screens; without it, the menu is simply shown open (see app.css).
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js");

// Copy buttons: <button data-copy="#input" data-copied="Copied">. Hidden without JavaScript,
// where the link stays selectable in its read-only field. With data-copy-status="#region"
// (a visible live region) "Copied" is said there and the button keeps its name.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  const status = button.dataset.copyStatus && document.querySelector(button.dataset.copyStatus);
  const done = () => {
    if (status) status.textContent = button.dataset.copied || "";
    else button.textContent = button.dataset.copied || button.textContent;
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});

// Undo after a delete: its close button (hidden without JavaScript, where
// the offer simply stays on the page) puts it away.
document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-dismiss-undo]")) return;
  const region = document.getElementById("undo");
  if (region) region.replaceChildren();
});

// Ctrl+Z (Cmd+Z) presses the Undo on offer, from wherever the focus went
// after the delete; in a field someone typed in it stays the field's undo.
document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
  if (event.key.toLowerCase() !== "z") return;
  const field = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
  if (field && !("defaultValue" in field && field.value === field.defaultValue)) return;
  const form = document.querySelector("#undo form.undo");
  if (!form) return;
  event.preventDefault();
  form.requestSubmit();
});

// PDF links: say that the document is being prepared (rendering can take a
// few seconds for a large playbook), and only until the download has
// started: the link is followed with ?dl=<nonce>, the PDF's answer sets the
// cookie dl-<nonce> (planner.views.download_started), and the label comes
// back as soon as that cookie is seen (at the latest after a minute).
// Without JavaScript they are plain links.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-preparing]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (link.getAttribute("aria-busy") === "true") return;
  const nonce = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
  const cookie = `dl-${nonce}`;
  const href = link.getAttribute("href");
  const url = new URL(href, document.baseURI);
  url.searchParams.set("dl", nonce);
  link.setAttribute("href", url.pathname + url.search);
  const label = link.innerHTML;
  // A link named by aria-label (the downloads page's) says it too, for
  // screen readers: the visible text alone would not be read out.
  const name = link.getAttribute("aria-label");
  link.setAttribute("aria-busy", "true");
  link.classList.add("preparing");
  link.textContent = link.dataset.preparing;
  if (name !== null) link.setAttribute("aria-label", link.dataset.preparing);
  let watch = 0;
  let fallback = 0;
  const reset = () => {
    clearInterval(watch);
    clearTimeout(fallback);
    document.cookie = `${cookie}=; Max-Age=0; Path=/; SameSite=Lax`;
    link.innerHTML = label;
    if (name !== null) link.setAttribute("aria-label", name);
    link.setAttribute("href", href);
    link.removeAttribute("aria-busy");
    link.classList.remove("preparing");
  };
  watch = setInterval(() => {
    if (document.cookie.split("; ").some((c) => c.startsWith(`${cookie}=`))) reset();
  }, 150);
  fallback = setTimeout(reset, 60000);
});

// Grids edited in place: the WIIFM matrix (planner/matrix.py) and the results
// page's adoption figures (planner/adoption_grid.py), each marked data-grid.
// Each value is a link to its own one-field form, which htmx swaps in; here
// only the keys (and the matrix's open Give-Gets). Enter (or Tab) saves and
// opens the next cell of the same grid, Shift+Tab the previous one, Escape
// cancels and gives the focus back to the value.
(() => {
  let pending = null; // {id, step}: where the focus goes once a cell is back
  const visibleCells = (cell) => {
    const grid = cell.closest("[data-grid]") || document;
    return Array.from(grid.querySelectorAll("[data-cell]")).filter((el) => el.offsetParent !== null);
  };

  document.addEventListener("keydown", (event) => {
    const editor = event.target.closest && event.target.closest("form[data-cell-editor]");
    if (!editor || event.target.matches("button, a")) return;
    if (!["Escape", "Tab", "Enter"].includes(event.key)) return;
    // A refused value's editor gets the focus before htmx has wired it up:
    // wire it now, so that the key acts through htmx and not as a page load.
    htmx.process(editor);
    if (event.key === "Escape") {
      event.preventDefault();
      pending = { id: editor.id, step: 0 };
      editor.querySelector("[data-cell-cancel]").click();
    } else if (event.key === "Tab" || (event.key === "Enter" && !(event.target.tagName === "TEXTAREA" && event.shiftKey))) {
      event.preventDefault();
      pending = { id: editor.id, step: event.key === "Tab" && event.shiftKey ? -1 : 1 };
      editor.requestSubmit();
    }
  });

  // Only the answer to this editor's own request (its save, its cancel) moves
  // the focus; not, say, the editor's own appearance settling after a quick key.
  document.addEventListener("htmx:afterSettle", (event) => {
    const from = event.detail.requestConfig && event.detail.requestConfig.elt;
    const editor = from && from.closest && from.closest("form[data-cell-editor]");
    if (!pending || !editor || editor.id !== pending.id) return;
    const { id, step } = pending;
    const cell = document.getElementById(id);
    pending = null;
    if (!cell || cell.matches("form")) return; // refused: the editor keeps the focus
    const cells = visibleCells(cell);
    const next = step ? cells[cells.indexOf(cell) + step] : null;
    if (next) next.click();
    else cell.focus();
  });

  // Open Give-Gets: remembered for this tab, sent along with the matrix's own
  // requests so that a re-drawn matrix keeps them open.
  const matrix = () => document.getElementById("matrix");
  const storeKey = () => `wiifm-open-${matrix().dataset.playbook}`;
  const openRows = () => new Set(JSON.parse(sessionStorage.getItem(storeKey()) || "[]"));
  const remember = (rows) => sessionStorage.setItem(storeKey(), JSON.stringify([...rows]));

  const setOpen = (toggle, open) => {
    const row = document.getElementById(toggle.getAttribute("aria-controls"));
    const rows = openRows();
    const pk = toggle.getAttribute("aria-controls").replace("gg-row-", "");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) rows.add(pk);
    else rows.delete(pk);
    remember(rows);
    if (!open) row.hidden = true;
    else if (row.hasAttribute("data-loaded")) row.hidden = false;
    else htmx.ajax("GET", toggle.dataset.givegets, { target: row, swap: "outerHTML" });
  };

  // With the script, the toggle is a button (Space works too); without it, a link.
  // (htmx:load comes for the page and for each piece htmx swaps in; this file
  // runs before htmx itself is loaded, so no htmx.* call here at load time.)
  document.addEventListener("htmx:load", (event) => {
    for (const toggle of event.target.querySelectorAll("[data-gg-toggle]")) toggle.setAttribute("role", "button");
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target.closest && event.target.closest("[data-gg-toggle], .cell-static.cell-long");
    if (!target || (event.key !== " " && event.key !== "Enter")) return;
    if (event.key === "Enter" && target.matches("[data-gg-toggle]")) return; // a link: Enter clicks
    event.preventDefault();
    target.click();
  });

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-gg-toggle]");
    if (toggle) {
      event.preventDefault();
      setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    const long = event.target.closest(".cell-static.cell-long");
    if (long) {
      // The full text, one click (or Enter) away.
      long.classList.toggle("expanded");
    }
  });

  document.addEventListener("htmx:configRequest", (event) => {
    if (!matrix()) return;
    const rows = openRows();
    if (rows.size) event.detail.parameters.open = [...rows].join(",");
  });

  const reopen = () => {
    if (!matrix()) return;
    for (const pk of openRows()) {
      const toggle = document.getElementById(`gg-toggle-${pk}`);
      if (toggle && toggle.getAttribute("aria-expanded") !== "true") setOpen(toggle, true);
    }
  };
  document.addEventListener("DOMContentLoaded", reopen);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.elt && event.detail.elt.id === "matrix") reopen();
  });
})();

// A request that fails says so, instead of leaving an editor that no longer
// answers: a role deleted meanwhile (404), a refused permission, the server
// down. A session that expired is sent to the login page, not into a cell.
(() => {
  document.addEventListener("htmx:beforeSwap", (event) => {
    // 409: someone else changed it meanwhile; the answer is the form with
    // their value and yours (core/concurrency.py), shown in place.
    if (event.detail.xhr && event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    const url = event.detail.xhr && event.detail.xhr.responseURL;
    if (url && new URL(url).pathname.startsWith("/accounts/login/")) {
      event.detail.shouldSwap = false;
      window.location.assign(url);
    }
  });
  const fail = () => {
    const box = document.getElementById("request-failed");
    if (box) box.hidden = false;
  };
  document.addEventListener("htmx:responseError", fail);
  document.addEventListener("htmx:sendError", fail);
})();

// Communications: "Copy text" puts a message's title and text on the
// clipboard; where the clipboard cannot be written (a page not served over
// HTTPS), it shows the text selected in its read-only field, to copy with
// the keyboard. Without JavaScript the button is a link to that text.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-text]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copyText);
  if (!source) return;
  const status = button.dataset.copyStatus && document.querySelector(button.dataset.copyStatus);
  const say = (text) => {
    if (status) status.textContent = text || "";
  };
  const select = () => {
    source.hidden = false;
    source.focus();
    source.select();
    say(button.dataset.select);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(() => say(button.dataset.copied), select);
  } else {
    select();
  }
});

// A long message's text is clamped to a few lines; its button shows it all
// (without JavaScript it is shown whole).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-expand]");
  if (!button) return;
  const text = document.querySelector(button.dataset.expand);
  if (!text) return;
  const open = !text.classList.contains("expanded");
  text.classList.toggle("expanded", open);
  button.setAttribute("aria-expanded", open ? "true" : "false");
  const label = button.querySelector("[data-expand-label]");
  if (label) label.textContent = open ? button.dataset.less : button.dataset.more;
});

// A message's sender list offers the ambassadors of the role it goes to (all
// of them for a message to all roles) and the members; without JavaScript it
// offers every ambassador, and the form refuses another role's.
(() => {
  const sync = (senders) => {
    const role = senders.form && senders.form.elements[senders.dataset.senderOf];
    if (!role) return;
    for (const option of senders.querySelectorAll("option[data-role]")) {
      option.hidden = Boolean(role.value) && option.dataset.role !== role.value;
      if (option.hidden && option.selected) senders.value = "";
    }
    for (const group of senders.querySelectorAll("optgroup")) {
      group.hidden = Array.from(group.children).every((option) => option.hidden);
    }
  };
  document.addEventListener("change", (event) => {
    const form = event.target.form;
    if (!form) return;
    for (const senders of form.querySelectorAll("select[data-sender-of]")) {
      if (senders.dataset.senderOf === event.target.name) sync(senders);
    }
  });
  document.addEventListener("htmx:load", (event) => {
    for (const senders of event.target.querySelectorAll("select[data-sender-of]")) sync(senders);
  });
})();

// The playbook's tabs, where they do not fit (a phone): the current tab is
// scrolled into view, and more-before / more-after tell app.css which edge
// fades to say there are more tabs that way. Without JavaScript the far edge
// fades below 768 px and the first tabs show.
(() => {
  const edges = (list) => {
    const hidden = list.scrollWidth - list.clientWidth;
    list.classList.toggle("more-before", hidden > 1 && list.scrollLeft > 1);
    list.classList.toggle("more-after", hidden > 1 && list.scrollLeft < hidden - 1);
  };
  const fit = (root) => {
    for (const list of root.querySelectorAll("[data-section-tabs]")) {
      if (list.dataset.fitted) continue;
      list.dataset.fitted = "1";
      const current = list.querySelector("[aria-current]") || list.querySelector(".active");
      const item = current && current.closest("li");
      if (item && list.scrollWidth > list.clientWidth) {
        list.scrollLeft = item.offsetLeft - (list.clientWidth - item.offsetWidth) / 2;
      }
      edges(list);
      list.addEventListener("scroll", () => edges(list), { passive: true });
    }
  };
  document.addEventListener("DOMContentLoaded", () => fit(document));
  document.addEventListener("htmx:load", (event) => fit(event.target));
  window.addEventListener("resize", () => {
    for (const list of document.querySelectorAll("[data-section-tabs]")) edges(list);
  });
})();
