// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-confirm ask before they submit (deletes, unbans).
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (ev) => {
      if (!window.confirm(f.dataset.confirm)) ev.preventDefault();
    });
  });
  // Selects marked data-autosubmit submit their form on change (policy assignment).
  document.querySelectorAll("select[data-autosubmit]").forEach((s) => {
    s.addEventListener("change", () => s.form.submit());
  });
  // Dashboard refreshes itself every 30 s while visible.
  if (location.pathname === "/") {
    setInterval(() => { if (!document.hidden) location.reload(); }, 30000);
  }
});
