// Progressive enhancement only: every page works without this file.
// With JavaScript running, the navigation bar collapses behind its toggler on
// small screens; without it, the menu is simply shown open (see app.css).
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js");
