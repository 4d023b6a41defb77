// Progressive enhancement only: every page works without this file.
// With JavaScript running, the navigation bar collapses behind its toggler on
// small screens; without it, the menu is simply shown open (see app.css).
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js");

// Copy buttons: <button data-copy="#input" data-copied="Copied">. Hidden without JavaScript,
// where the link stays selectable in its read-only field.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => {
    button.textContent = button.dataset.copied || button.textContent;
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});

// PDF links: say that the document is being prepared (rendering can take a
// few seconds for a large playbook). Without JavaScript they are plain links.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-preparing]");
  if (!link || link.getAttribute("aria-busy") === "true") return;
  const label = link.innerHTML;
  link.setAttribute("aria-busy", "true");
  link.classList.add("preparing");
  link.textContent = link.dataset.preparing;
  setTimeout(() => {
    link.innerHTML = label;
    link.removeAttribute("aria-busy");
    link.classList.remove("preparing");
  }, 12000);
});
